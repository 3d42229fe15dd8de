"""Access-token verification and its cache."""
