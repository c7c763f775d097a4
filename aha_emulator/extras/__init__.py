"""The issue-14 tables: idea themes, to-dos, requirements, integrations, workflows, teams and
ideas-portal users, drawn from their own random generator."""
