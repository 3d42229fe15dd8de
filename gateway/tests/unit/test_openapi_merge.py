"""Merging the services' OpenAPI documents: paths as-is, components without clashes."""

from typing import Any

from gateway.config import Route, Upstream
from gateway.openapi_merge import ServiceDocument, merge
from gateway.routing import RouteTable

ROUTES = RouteTable(
    [
        Route("/api/users", Upstream("accounts", "http://a")),
        Route("/api/projects", Upstream("projects", "http://p")),
    ]
)


def _ref(name: str, section: str = "schemas") -> dict[str, str]:
    return {"$ref": f"#/components/{section}/{name}"}


def _get(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": {
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": schema}}}
            }
        }
    }


def _merge(*documents: tuple[str, dict[str, Any] | None]) -> dict[str, Any]:
    sources = [
        ServiceDocument(name, doc, "ok" if doc else "unavailable: ClientConnectorError")
        for name, doc in documents
    ]
    return merge(sources, ROUTES, version="9.9.9", asyncapi_url="/api/asyncapi.json")


def test_paths_are_kept_as_they_are_but_only_those_the_gateway_routes_to_their_service() -> None:
    merged = _merge(
        ("accounts", {"paths": {"/api/users/me": _get({}), "/health": _get({})}}),
        ("projects", {"paths": {"/api/projects": _get({}), "/api/users/spoof": _get({})}}),
    )
    assert list(merged["paths"]) == ["/api/users/me", "/api/projects"]
    assert merged["info"]["version"] == "9.9.9"
    assert "servers" not in merged


def test_identical_components_are_shared_and_different_ones_renamed_with_refs_rewritten() -> None:
    shared = {"type": "string"}
    merged = _merge(
        (
            "accounts",
            {
                "paths": {"/api/users": _get(_ref("User"))},
                "components": {"schemas": {"User": {"type": "object"}, "Id": shared}},
            },
        ),
        (
            "projects",
            {
                "paths": {"/api/projects": _get(_ref("User"))},
                "components": {"schemas": {"User": {"type": "array"}, "Id": shared}},
            },
        ),
    )
    schemas = merged["components"]["schemas"]
    assert schemas == {"User": {"type": "object"}, "Id": shared, "ProjectsUser": {"type": "array"}}
    projects_schema = merged["paths"]["/api/projects"]["get"]["responses"]["200"]["content"]
    assert projects_schema["application/json"]["schema"] == _ref("ProjectsUser")
    users_schema = merged["paths"]["/api/users"]["get"]["responses"]["200"]["content"]
    assert users_schema["application/json"]["schema"] == _ref("User")


def test_an_equal_component_referring_to_a_renamed_one_is_renamed_too() -> None:
    wrapper = {"type": "object", "properties": {"item": _ref("Item")}}
    merged = _merge(
        ("accounts", {"paths": {}, "components": {"schemas": {"Page": wrapper, "Item": {}}}}),
        (
            "projects",
            {
                "paths": {"/api/projects": _get(_ref("Page"))},
                "components": {"schemas": {"Page": wrapper, "Item": {"type": "integer"}}},
            },
        ),
    )
    schemas = merged["components"]["schemas"]
    assert schemas["ProjectsPage"]["properties"]["item"] == _ref("ProjectsItem")
    assert schemas["Page"]["properties"]["item"] == _ref("Item")


def test_a_renamed_security_scheme_is_renamed_in_security_requirements() -> None:
    scheme_a = {"type": "oauth2", "flows": {"password": {"tokenUrl": "/a", "scopes": {}}}}
    scheme_b = {"type": "http", "scheme": "bearer"}
    operation = _get({})
    operation["get"]["security"] = [{"Bearer": []}]
    merged = _merge(
        ("accounts", {"paths": {}, "components": {"securitySchemes": {"Bearer": scheme_a}}}),
        (
            "projects",
            {
                "paths": {"/api/projects": operation},
                "components": {"securitySchemes": {"Bearer": scheme_b}},
            },
        ),
    )
    assert merged["components"]["securitySchemes"] == {
        "Bearer": scheme_a,
        "ProjectsBearer": scheme_b,
    }
    assert merged["paths"]["/api/projects"]["get"]["security"] == [{"ProjectsBearer": []}]


def test_a_services_top_level_security_moves_onto_its_own_operations() -> None:
    merged = _merge(
        ("accounts", {"paths": {"/api/users": _get({})}}),
        ("projects", {"paths": {"/api/projects": _get({})}, "security": [{"Bearer": []}]}),
    )
    assert "security" not in merged
    assert "security" not in merged["paths"]["/api/users"]["get"]
    assert merged["paths"]["/api/projects"]["get"]["security"] == [{"Bearer": []}]


def test_a_missing_service_is_named_and_the_rest_still_merged() -> None:
    merged = _merge(("accounts", None), ("projects", {"paths": {"/api/projects": _get({})}}))
    assert list(merged["paths"]) == ["/api/projects"]
    assert merged["x-taskboard-sources"]["accounts"]["status"].startswith("unavailable")
    assert "accounts" in merged["info"]["description"]


def test_tags_are_united_without_duplicates() -> None:
    merged = _merge(
        ("accounts", {"paths": {}, "tags": [{"name": "users"}, {"name": "operations"}]}),
        ("projects", {"paths": {}, "tags": [{"name": "projects"}, {"name": "operations"}]}),
    )
    assert [tag["name"] for tag in merged["tags"]] == ["users", "operations", "projects"]


def test_the_inputs_are_not_modified() -> None:
    document = {
        "paths": {"/api/projects": _get(_ref("User"))},
        "components": {"schemas": {"User": {"type": "array"}}},
    }
    before = repr(document)
    _merge(
        ("accounts", {"paths": {}, "components": {"schemas": {"User": {}}}}), ("projects", document)
    )
    assert repr(document) == before


def test_security_schemes_differing_only_in_description_are_one_scheme() -> None:
    def bearer(description: str) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "description": description}

    operation = _get({})
    operation["get"]["security"] = [{"HTTPBearer": []}]
    merged = _merge(
        ("accounts", {"paths": {}, "components": {"securitySchemes": {"HTTPBearer": bearer("a")}}}),
        (
            "projects",
            {
                "paths": {"/api/projects": operation},
                "components": {"securitySchemes": {"HTTPBearer": bearer("b")}},
            },
        ),
    )
    assert merged["components"]["securitySchemes"] == {"HTTPBearer": bearer("a")}
    assert merged["paths"]["/api/projects"]["get"]["security"] == [{"HTTPBearer": []}]
