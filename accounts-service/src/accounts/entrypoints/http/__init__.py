"""FastAPI application of accounts-service."""
