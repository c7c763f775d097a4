"""Custom field definitions, their options, and the values records carry (docs/aha-endpoints.md)."""
