"""The edges of the service: HTTP (FastAPI) and command-line tools."""
