"""Business rules in plain Python, shared by views, the API and the CLI."""
