"""The merged OpenAPI document, Swagger UI served from the gateway itself, and AsyncAPI."""

from html.parser import HTMLParser

import aiohttp

from contracts import load_asyncapi_document
from tests.integration.conftest import GatewayFactory
from tests.integration.standins import StandIn, refused_address


class _AssetLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


async def test_merged_openapi_has_both_services_public_paths(
    gateway: str, client: aiohttp.ClientSession
) -> None:
    async with client.get(gateway + "/api/openapi.json") as response:
        assert response.status == 200
        document = await response.json()
    assert set(document["paths"]) == {
        "/api/users",
        "/api/users/me",
        "/api/projects",
        "/api/projects/{project_id}/tasks",
    }
    assert document["x-taskboard-sources"] == {
        "accounts": {"status": "ok"},
        "projects": {
            "status": "ok",
            "renamed_components": {
                "schemas/Problem": "ProjectsProblem",
                "securitySchemes/OAuth2PasswordBearer": "ProjectsOAuth2PasswordBearer",
            },
        },
    }
    ref = document["paths"]["/api/projects"]["get"]["responses"]["200"]["content"]
    assert ref["application/json"]["schema"] == {"$ref": "#/components/schemas/ProjectsProblem"}
    assert document["paths"]["/api/projects"]["get"]["security"] == [
        {"ProjectsOAuth2PasswordBearer": []}
    ]
    assert set(document["components"]["schemas"]) == {
        "Problem",
        "ProjectsProblem",
        "HTTPValidationError",
    }
    assert document["x-taskboard-asyncapi"] == "/api/asyncapi.json"


async def test_openapi_documents_are_cached_between_requests(
    gateway: str, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    before = accounts.openapi_fetches
    for _ in range(3):
        async with client.get(gateway + "/api/openapi.json") as response:
            assert response.status == 200
    assert accounts.openapi_fetches == before + 1


async def test_openapi_merges_what_is_available_and_says_what_is_missing(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession
) -> None:
    async with (
        refused_address() as nowhere,
        start_gateway(projects_url=nowhere) as gateway,
        client.get(gateway + "/api/openapi.json") as response,
    ):
        assert response.status == 200
        document = await response.json()
    assert set(document["paths"]) == {"/api/users", "/api/users/me"}
    assert document["x-taskboard-sources"]["projects"]["status"].startswith("unavailable")
    assert "projects" in document["info"]["description"]


async def test_docs_page_loads_only_assets_the_gateway_serves(
    gateway: str, client: aiohttp.ClientSession
) -> None:
    async with client.get(gateway + "/api/docs") as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        html = await response.text()
    assert "/api/openapi.json" in html
    assert "http" not in html.lower().replace("text/html", "")
    parser = _AssetLinks()
    parser.feed(html)
    assert len(parser.urls) >= 3
    for url in parser.urls:
        assert url.startswith("/api/docs/assets/"), url
        async with client.get(gateway + url) as asset:
            assert asset.status == 200, url
            assert len(await asset.read()) > 0


async def test_swagger_ui_oauth2_redirect_page_is_served(
    gateway: str, client: aiohttp.ClientSession
) -> None:
    async with client.get(gateway + "/api/docs/assets/oauth2-redirect.html") as response:
        assert response.status == 200


async def test_missing_asset_is_a_404_problem(gateway: str, client: aiohttp.ClientSession) -> None:
    async with client.get(gateway + "/api/docs/assets/nope.js") as response:
        assert response.status == 404
        assert response.content_type == "application/problem+json"
        assert response.headers["X-Request-ID"]


async def test_asyncapi_document_from_contracts_is_served(
    gateway: str, client: aiohttp.ClientSession
) -> None:
    async with client.get(gateway + "/api/asyncapi.json") as response:
        assert response.status == 200
        document = await response.json()
    assert document == load_asyncapi_document()
    assert document["asyncapi"].startswith("3.")
