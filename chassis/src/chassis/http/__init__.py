"""HTTP: the app factory, problem+json errors, request ids, health."""
