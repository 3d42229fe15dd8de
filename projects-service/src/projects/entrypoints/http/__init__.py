"""FastAPI application of projects-service."""
