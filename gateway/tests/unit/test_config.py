"""Settings: the routing table from the environment, validated at start-up."""

import pytest
from pydantic import ValidationError

from gateway.config import Settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, field in Settings.model_fields.items():
        monkeypatch.delenv(f"GATEWAY_{name.upper()}", raising=False)
        if isinstance(field.validation_alias, str):
            monkeypatch.delenv(field.validation_alias, raising=False)


def test_defaults_route_users_to_accounts_and_projects_to_projects() -> None:
    settings = Settings()
    table = {route.prefix: route.upstream for route in settings.route_list}
    assert table["/api/users"].name == "accounts"
    assert table["/api/users"].base_urls == ("http://127.0.0.1:8001",)
    assert table["/api/projects"].base_urls == ("http://127.0.0.1:8002",)
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_everything_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_PORT", "9000")
    monkeypatch.setenv("ACCOUNTS_URL", "http://accounts-service:8001/")
    monkeypatch.setenv("GATEWAY_ROUTES", '{"/api/users": "accounts", "/api/teams": "projects"}')
    monkeypatch.setenv("GATEWAY_MAX_BODY_BYTES", "1024")
    monkeypatch.setenv("MAX_BODY_BYTES", "1")  # another process's setting, not the gateway's
    settings = Settings()
    assert settings.port == 9000
    assert settings.max_body_bytes == 1024
    table = {route.prefix: route.upstream.base_urls for route in settings.route_list}
    assert table == {
        "/api/users": ("http://accounts-service:8001",),
        "/api/teams": ("http://127.0.0.1:8002",),
    }


def test_a_list_of_replicas_per_service_wins_over_the_single_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACCOUNTS_URL", "http://old:8001")
    monkeypatch.setenv("ACCOUNTS_URLS", "http://a1:8001, http://a2:8101/")
    monkeypatch.setenv("GATEWAY_CORS_ORIGINS", "https://app.example")
    settings = Settings()
    assert settings.services["accounts"].base_urls == ("http://a1:8001", "http://a2:8101")
    assert settings.services["projects"].base_urls == ("http://127.0.0.1:8002",)
    assert settings.cors_origins == ("https://app.example",)


def test_cors_is_off_and_no_public_origin_by_default() -> None:
    settings = Settings()
    assert settings.cors_origins == ()
    assert settings.public_origin is None
    assert settings.trusted_proxies == ""  # the gateway is the edge: no X-Forwarded-For believed


@pytest.mark.parametrize(
    "bad",
    [
        {"accounts_url": "ftp://x"},
        {"accounts_url": "http://x/prefix"},
        {"projects_url": "not a url"},
        {"routes": {"/api/users/": "accounts"}},
        {"routes": {"api/users": "accounts"}},
        {"routes": {"/api/users": "billing"}},
        {"retries": -1},
        {"accounts_urls": "http://a:1,http://b:2/path"},
        {"cors_origins": "*"},
        {"public_origin": "https://x.example/prefix"},
        {"trusted_proxies": "10.0.0.0/8, ingress"},
    ],
)
def test_invalid_settings_fail_at_start_up(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings(**bad)  # type: ignore[arg-type]
