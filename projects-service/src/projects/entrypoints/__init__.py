"""The edges of projects-service: HTTP now, message consumers next."""
