"""Headers the edge adds to every answer, and CORS: off by default, an allowlist when set."""

import base64
import hashlib
import re

import aiohttp
import pytest

from tests.integration.conftest import GatewayFactory
from tests.integration.standins import StandIn

PATHS = ["/api/users/me", "/api/users/gzip", "/nowhere", "/health", "/api/openapi.json"]


@pytest.mark.parametrize("path", [*PATHS, "/api/docs"])
async def test_every_answer_forbids_sniffing_and_framing_and_names_no_version(
    gateway: str, client: aiohttp.ClientSession, path: str
) -> None:
    async with client.get(gateway + path) as response:
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        server = response.headers["Server"]
        assert not re.search(r"\d", server), server
        assert "aiohttp" not in server.lower()
        assert "python" not in server.lower()


@pytest.mark.parametrize("path", PATHS)
async def test_json_answers_may_load_nothing(
    gateway: str, client: aiohttp.ClientSession, path: str
) -> None:
    async with client.get(gateway + path) as response:
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none';")


async def test_the_docs_policy_runs_only_swagger_ui_from_this_origin(
    gateway: str, client: aiohttp.ClientSession
) -> None:
    async with client.get(gateway + "/api/docs") as response:
        policy = response.headers["Content-Security-Policy"]
        page = await response.text()
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in directives["script-src"]
    inline = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert directives["script-src"] == f"'self' 'sha256-{digest}'"
    assert directives["connect-src"] == "'self'"


async def test_the_services_server_header_is_replaced(
    gateway: str, client: aiohttp.ClientSession
) -> None:
    async with client.get(gateway + "/api/users/me") as response:  # stand-in: aiohttp/x.y
        assert response.headers.getall("Server") == ["taskboard-gateway"]


async def test_cors_is_off_by_default(
    gateway: str, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    headers = {"Origin": "https://app.example"}
    async with client.get(gateway + "/api/users/me", headers=headers) as response:
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]
    preflight = {**headers, "Access-Control-Request-Method": "POST"}
    async with client.options(gateway + "/api/users", headers=preflight) as response:
        assert "Access-Control-Allow-Origin" not in response.headers


async def test_cors_allows_only_the_configured_origins(
    start_gateway: GatewayFactory, client: aiohttp.ClientSession, accounts: StandIn
) -> None:
    allowed, other = "https://app.example", "https://evil.example"
    async with start_gateway(cors_origins="https://app.example") as gateway:
        preflight = {
            "Origin": allowed,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": (
                "content-type, authorization, idempotency-key, x-original-url"
            ),
        }
        async with client.options(gateway + "/api/users", headers=preflight) as response:
            assert response.status == 204
            assert response.headers["Access-Control-Allow-Origin"] == allowed
            assert "POST" in response.headers["Access-Control-Allow-Methods"]
            assert (
                response.headers["Access-Control-Allow-Headers"]
                == "content-type, authorization, idempotency-key"
            )
            assert "Access-Control-Allow-Credentials" not in response.headers
        assert accounts.seen == []  # the edge answered the preflight

        async with client.get(gateway + "/api/users/me", headers={"Origin": allowed}) as response:
            assert response.headers["Access-Control-Allow-Origin"] == allowed
            exposed = {
                name.strip().lower()
                for name in response.headers["Access-Control-Expose-Headers"].split(",")
            }
            # what a browser's script needs to read of a (retried) POST's answer
            assert {"x-request-id", "location", "idempotent-replayed", "retry-after"} <= exposed
            assert "Origin" in response.headers["Vary"]

        async with client.get(gateway + "/api/users/me", headers={"Origin": other}) as response:
            assert "Access-Control-Allow-Origin" not in response.headers
        async with client.options(
            gateway + "/api/users", headers={**preflight, "Origin": other}
        ) as response:
            assert response.status == 403
            assert response.content_type == "application/problem+json"
            assert "Access-Control-Allow-Origin" not in response.headers
