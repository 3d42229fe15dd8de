"""What the stand-ins publish at /openapi.json: shaped like FastAPI's, with one component
that both services define identically and one they define differently."""

from typing import Any

VALIDATION_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "array", "items": {"type": "string"}}},
}


def _problem(extra: str) -> dict[str, Any]:
    return {"type": "object", "properties": {"title": {"type": "string"}, extra: {}}}


def _operation(schema: str, *, security: bool = False) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "responses": {
            "200": {
                "description": "ok",
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                },
            },
            "422": {
                "description": "invalid",
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/HTTPValidationError"}
                    }
                },
            },
        }
    }
    if security:
        operation["security"] = [{"OAuth2PasswordBearer": []}]
    return operation


def accounts_openapi() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Taskboard accounts-service", "version": "1.0.0"},
        "paths": {
            "/api/users": {"post": _operation("Problem")},
            "/api/users/me": {"get": _operation("Problem")},
            "/health": {"get": {"responses": {"200": {"description": "ok"}}}},
            "/.well-known/jwks.json": {"get": {"responses": {"200": {"description": "ok"}}}},
        },
        "components": {
            "schemas": {"Problem": _problem("accounts"), "HTTPValidationError": VALIDATION_ERROR},
            "securitySchemes": {
                "OAuth2PasswordBearer": {
                    "type": "oauth2",
                    "flows": {"password": {"tokenUrl": "/api/users/login", "scopes": {}}},
                }
            },
        },
        "tags": [{"name": "users"}],
    }


def projects_openapi() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Taskboard projects-service", "version": "1.0.0"},
        "paths": {
            "/api/projects": {"get": _operation("Problem", security=True)},
            "/api/projects/{project_id}/tasks": {"get": _operation("Problem", security=True)},
            "/health/ready": {"get": {"responses": {"200": {"description": "ok"}}}},
        },
        "components": {
            "schemas": {"Problem": _problem("projects"), "HTTPValidationError": VALIDATION_ERROR},
            "securitySchemes": {
                "OAuth2PasswordBearer": {
                    "type": "oauth2",
                    "flows": {"password": {"tokenUrl": "login", "scopes": {}}},
                }
            },
        },
        "tags": [{"name": "projects"}],
    }
