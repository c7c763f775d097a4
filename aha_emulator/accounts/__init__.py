"""The account's people and places: organizations, idea (portal) users, ideas portals and idea
categories."""
