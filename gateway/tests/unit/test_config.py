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
    assert table["/api/users"].base_url == "http://127.0.0.1:8001"
    assert table["/api/projects"].base_url == "http://127.0.0.1:8002"
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
    table = {route.prefix: route.upstream.base_url for route in settings.route_list}
    assert table == {
        "/api/users": "http://accounts-service:8001",
        "/api/teams": "http://127.0.0.1:8002",
    }


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
    ],
)
def test_invalid_settings_fail_at_start_up(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings(**bad)  # type: ignore[arg-type]
