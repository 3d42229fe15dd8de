"""The paths the gateway answers itself rather than routing to a service."""

HEALTH = "/health"
OPENAPI = "/api/openapi.json"
ASYNCAPI = "/api/asyncapi.json"
DOCS = "/api/docs"
DOCS_ASSETS = "/api/docs/assets"
