"""Command-line tools of accounts-service."""
