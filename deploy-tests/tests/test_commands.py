"""(c) What the containers run exists: the ASGI factories, the console scripts, Alembic's files."""

import configparser
import importlib
import shlex
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from .stack import (
    ACCOUNTS,
    GATEWAY,
    PROJECTS,
    SERVICES,
    Service,
    compose_service,
    final_stage,
    lock_requirements,
)

HTTP_SERVICES = [ACCOUNTS, PROJECTS]
MIGRATED = [pytest.param(s, id=s.name) for s in HTTP_SERVICES]


def image_command(service: Service) -> list[str]:
    cmd = final_stage(service).last("CMD")
    assert cmd is not None, f"{service.dockerfile} has no CMD"
    assert final_stage(service).last("ENTRYPOINT") is None
    return cmd.exec_form()


def migrate_steps(service: Service) -> list[list[str]]:
    """The one-shot's `sh -c "a && exec b"` as simple commands (`exec` dropped)."""
    assert service.migrate is not None
    command = compose_service(service.migrate)["command"]
    assert command[:2] == ["sh", "-c"], command
    assert len(command) == 3, command
    steps = [shlex.split(part) for part in command[2].split("&&")]
    return [step[1:] if step[0] == "exec" else step for step in steps]


@pytest.mark.parametrize("service", HTTP_SERVICES, ids=lambda s: s.name)
def test_uvicorn_serves_the_services_app_factory_on_all_interfaces(service: Service) -> None:
    command = image_command(service)
    assert command[0] == "uvicorn"
    assert "--factory" in command
    assert command[command.index("--host") + 1] == "0.0.0.0"  # noqa: S104 - inside a container
    assert "--no-proxy-headers" in command  # only the gateway talks to it; trust no X-Forwarded-*
    target = next(arg for arg in command[1:] if ":" in arg and not arg.startswith("-"))
    module, attribute = target.split(":")
    assert module.split(".")[0] == service.package
    factory = getattr(importlib.import_module(module), attribute)
    assert callable(factory)
    app = factory()  # a factory: called with no arguments, gives the ASGI app
    assert callable(app)
    assert hasattr(app, "router")


def test_the_gateway_image_runs_its_console_script() -> None:
    command = image_command(GATEWAY)
    assert command == ["gateway"]
    assert GATEWAY.scripts["gateway"] == "gateway.__main__:main"
    module, attribute = GATEWAY.scripts["gateway"].split(":")
    assert callable(getattr(importlib.import_module(module), attribute))


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_image_commands_are_installed_by_the_image(service: Service) -> None:
    """The program is the service's own console script or comes from a package of its lock."""
    program = image_command(service)[0]
    locked = lock_requirements(service.folder / "requirements.lock")
    assert program in service.scripts or program in locked
    if program in locked:
        providers = {
            ep.dist.name for ep in entry_points(group="console_scripts", name=program) if ep.dist
        }
        assert program in providers


@pytest.mark.parametrize("service", MIGRATED)
def test_the_migration_one_shot_runs_alembic_then_declares_the_topology(service: Service) -> None:
    steps = migrate_steps(service)
    assert steps[0] == ["alembic", "upgrade", "head"]
    worker = f"{service.package}-worker"
    assert steps[1] == [worker, "--declare-topology"]
    assert worker in service.scripts, (
        f"{worker} is not in {service.name}/pyproject.toml [project.scripts]"
    )


@pytest.mark.parametrize("service", MIGRATED)
def test_the_worker_accepts_declare_topology(service: Service) -> None:
    worker = Path(sys.executable).parent / f"{service.package}-worker"
    assert worker.exists(), f"{worker} is not installed (make install)"
    result = subprocess.run(
        [str(worker), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "--declare-topology" in result.stdout


@pytest.mark.parametrize("service", MIGRATED)
def test_alembic_finds_its_config_and_history_where_the_image_puts_them(service: Service) -> None:
    stage = final_stage(service)
    workdir = stage.last("WORKDIR")
    assert workdir is not None
    assert workdir.args == "/app"
    copies = {sources[0]: destination for sources, destination in stage.copies()}
    assert copies[f"{service.name}/alembic.ini"] in ("alembic.ini", "/app/alembic.ini", "./")
    assert copies[f"{service.name}/migrations"] in ("migrations", "/app/migrations", "./migrations")

    ini = configparser.ConfigParser(interpolation=None)
    ini.read(service.folder / "alembic.ini")
    location = ini["alembic"]["script_location"].replace("%(here)s", str(service.folder))
    assert Path(location) == service.folder / "migrations"
    assert (service.folder / "migrations" / "env.py").is_file()
    assert list((service.folder / "migrations" / "versions").glob("*.py"))


@pytest.mark.parametrize("service", MIGRATED)
def test_alembic_is_a_locked_dependency_of_the_image(service: Service) -> None:
    assert "alembic" in lock_requirements(service.folder / "requirements.lock")
