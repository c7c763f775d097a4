"""The Aha! Roadmaps side: products (workspaces), Aha! users, and the releases, epics,
features, initiatives and goals of each product."""
