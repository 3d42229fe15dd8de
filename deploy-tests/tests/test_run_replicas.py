"""`make run REPLICAS=n`: the ports, the Procfile honcho is given and the gateway's replica lists
(scripts/run.py's pure parts; test_make_run.py starts the stack itself)."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from .stack import REPO


def load_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_script", REPO / "scripts" / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    for name in ("REPLICAS", "GATEWAY_PORT", "ACCOUNTS_PORT", "PROJECTS_PORT", "JWKS_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("ACCOUNTS_URL", "PROJECTS_URL", "ACCOUNTS_URLS", "PROJECTS_URLS"):
        monkeypatch.delenv(name, raising=False)
    return load_run()


def test_replica_i_listens_on_the_services_port_plus_100_i(run: ModuleType) -> None:
    assert run.ports(2) == {
        "gateway": 8000,
        "accounts": 8001,
        "accounts-2": 8101,
        "projects": 8002,
        "projects-2": 8102,
    }


def test_the_gateway_knows_every_replica(run: ModuleType) -> None:
    env = run.environment(run.ports(3))
    assert (
        env["ACCOUNTS_URLS"] == "http://127.0.0.1:8001,http://127.0.0.1:8101,http://127.0.0.1:8201"
    )
    assert (
        env["PROJECTS_URLS"] == "http://127.0.0.1:8002,http://127.0.0.1:8102,http://127.0.0.1:8202"
    )
    assert "ACCOUNTS_URLS" not in run.environment(run.ports(1))


def test_each_service_line_is_repeated_per_replica_with_its_own_port(run: ModuleType) -> None:
    procfile = (REPO / "Procfile").read_text()
    expanded = run.expand(procfile, run.ports(2)).splitlines()
    names = [line.split(":", 1)[0] for line in expanded]
    assert sorted(names) == ["accounts", "accounts-2", "gateway", "projects", "projects-2"]
    lines = dict(line.split(": ", 1) for line in expanded)
    assert "--port 8101 " in lines["accounts-2"]
    assert "--port 8102 " in lines["projects-2"]
    assert "JWKS_URL=http://127.0.0.1:8101/.well-known/jwks.json" in lines["projects-2"]
    assert "ACCOUNTS_PORT" not in lines["accounts-2"]
    assert run.expand(procfile, run.ports(1)) == procfile


@pytest.mark.parametrize("value", ["0", "10", "two", "-1"])
def test_a_replica_count_out_of_range_is_refused_in_one_line(
    run: ModuleType, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("REPLICAS", value)
    with pytest.raises(SystemExit, match="give a whole number from 1 to 9"):
        run.replicas()
