"""The HTTP side of fetching the JWKS, against an in-memory transport."""

import httpx
import pytest

from projects.infrastructure.security.jwks import HttpJwksFetcher
from tests.stand_in_accounts import StandInAccounts

URL = "http://accounts.test/.well-known/jwks.json"


async def test_fetches_the_document_from_the_configured_url() -> None:
    accounts = StandInAccounts()
    fetcher = HttpJwksFetcher(URL, transport=accounts.transport())

    document = await fetcher.fetch()
    await fetcher.close()

    assert document == accounts.jwks()
    assert accounts.jwks_requests == 1


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(503, json={"keys": []}),
        httpx.Response(302, headers={"Location": "http://evil.test/jwks.json"}),
        httpx.Response(200, content=b"<html>not json</html>"),
        httpx.Response(200, json=[{"kty": "OKP"}]),
    ],
)
async def test_anything_but_a_200_json_object_fails(response: httpx.Response) -> None:
    fetcher = HttpJwksFetcher(URL, transport=httpx.MockTransport(lambda _: response))
    with pytest.raises((httpx.HTTPError, ValueError)):
        await fetcher.fetch()
    await fetcher.close()
