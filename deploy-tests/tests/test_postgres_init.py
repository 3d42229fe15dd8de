"""The postgres container's init script: one role and schema per service, no rights across.

Statically against compose and the code; then for real, without Docker: a private PostgreSQL
cluster of this machine's binaries, the script run as the image's entrypoint runs it, both
services' Alembic histories applied as their own roles, and every cross-service access refused.
"""

import contextlib
import glob
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from taskboard_testing import free_port

from .conftest import unavailable
from .stack import ACCOUNTS, PROJECTS, REPO, Service, bind_mounts, compose_service, environment

INIT = REPO / "docker" / "postgres" / "init.sh"
ROLES = [pytest.param(s, id=s.package) for s in (ACCOUNTS, PROJECTS)]


def schema_of(service: Service) -> str:
    module = __import__(f"{service.package}.infrastructure.persistence.tables", fromlist=["SCHEMA"])
    return str(module.SCHEMA)


def sql() -> str:
    return " ".join(INIT.read_text().split())


def test_the_script_is_mounted_where_the_image_runs_it_once() -> None:
    mounts = bind_mounts("postgres")
    (target,) = [t for t, source in mounts.items() if source == "./docker/postgres/init.sh"]
    assert re.fullmatch(r"/docker-entrypoint-initdb\.d/[\w-]+\.sh", target)
    assert INIT.stat().st_mode & stat.S_IXUSR, "init.sh must be executable (the entrypoint runs it)"
    assert "/var/lib/postgresql/data" in compose_volumes_targets()


def compose_volumes_targets() -> list[str]:
    return [str(v).split(":")[1] for v in compose_service("postgres")["volumes"]]


def test_the_variables_the_script_requires_are_set_on_the_postgres_service() -> None:
    required = set(re.findall(r"\$\{(\w+):\?", INIT.read_text()))
    assert required == {"ACCOUNTS_DB_PASSWORD", "PROJECTS_DB_PASSWORD"}
    assert required <= set(environment("postgres"))


@pytest.mark.parametrize("service", ROLES)
def test_each_service_gets_a_role_owning_its_own_schema(service: Service) -> None:
    role = service.package
    schema = schema_of(service)
    assert schema == role  # the schema a service's tables and alembic_version live in
    assert f"CREATE ROLE {role} LOGIN PASSWORD :'{role}_password';" in sql()
    assert f"CREATE SCHEMA {schema} AUTHORIZATION {role};" in sql()
    assert f"REVOKE ALL ON SCHEMA {schema} FROM PUBLIC;" in sql()


def test_nobody_creates_objects_in_public() -> None:
    assert "REVOKE CREATE ON SCHEMA public FROM PUBLIC;" in sql()


# --- for real, in a private cluster ------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    socket_dir: Path
    port: int
    bindir: Path

    def psql(self, user: str, password: str, query: str) -> subprocess.CompletedProcess[str]:
        server = ["-h", "127.0.0.1", "-p", str(self.port), "-U", user, "-d", "taskboard"]
        return subprocess.run(
            [str(self.bindir / "psql"), "-X", *server, "-v", "ON_ERROR_STOP=1", "-tAc", query],
            env={**os.environ, "PGPASSWORD": password},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


def postgres_bindir() -> Path | None:
    candidates = [Path(p).parent for p in (shutil.which("initdb"), shutil.which("pg_ctl")) if p]
    candidates += sorted((Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")), reverse=True)
    for directory in candidates:
        real = Path(os.path.realpath(directory / "initdb")).parent
        if (real / "initdb").exists() and (real / "pg_ctl").exists() and (real / "psql").exists():
            return real
    return None


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    bindir = postgres_bindir()
    if bindir is None:
        unavailable("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    assert bindir is not None
    # initdb refuses to run as root; the cluster then belongs to the postgres user
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    base = Path(tempfile.mkdtemp(prefix="taskboard-deploy-pg-"))
    if as_user:
        shutil.chown(base, "postgres")
    port = free_port()

    def run(*args: object) -> None:
        subprocess.run([*as_user, *map(str, args)], check=True, capture_output=True, timeout=120)

    try:
        run(
            bindir / "initdb",
            "-D",
            base / "data",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
        )
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(
            bindir / "pg_ctl", "-D", base / "data", "-o", options, "-l", base / "log", "-w", "start"
        )
        try:
            subprocess.run(
                [
                    bindir / "psql",
                    "-X",
                    "-h",
                    base,
                    "-p",
                    str(port),
                    "-U",
                    "postgres",
                    "-c",
                    "CREATE DATABASE taskboard",
                ],
                check=True,
                capture_output=True,
                timeout=60,
            )
            yield Cluster(base, port, bindir)
        finally:
            with contextlib.suppress(subprocess.SubprocessError):
                run(bindir / "pg_ctl", "-D", base / "data", "-m", "immediate", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def initialised(cluster: Cluster) -> Cluster:
    """init.sh run as the image's entrypoint runs it: as POSTGRES_USER over the socket."""
    env = {
        **os.environ,
        **environment("postgres"),
        "PGHOST": str(cluster.socket_dir),
        "PGPORT": str(cluster.port),
        "PATH": f"{cluster.bindir}:{os.environ.get('PATH', '')}",
    }
    result = subprocess.run(
        ["bash", str(INIT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return cluster


def database_url(service: Service, cluster: Cluster) -> str:
    url = urlsplit(environment(service.name)["DATABASE_URL"])
    return f"postgresql://{url.username}:{url.password}@127.0.0.1:{cluster.port}{url.path}"


def credentials(service: Service) -> tuple[str, str]:
    url = urlsplit(environment(service.name)["DATABASE_URL"])
    assert url.username
    assert url.password
    return url.username, url.password


@pytest.fixture(scope="module")
def migrated(initialised: Cluster) -> Cluster:
    """Both histories applied by `alembic upgrade head`, each as its compose DATABASE_URL's role."""
    alembic = Path(sys.executable).parent / "alembic"
    for service in (ACCOUNTS, PROJECTS):
        env = {**os.environ, "DATABASE_URL": database_url(service, initialised)}
        result = subprocess.run(
            [str(alembic), "upgrade", "head"],
            cwd=service.folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"{service.name}: {result.stderr[-2000:]}"
    return initialised


@pytest.mark.integration
@pytest.mark.parametrize("service", ROLES)
def test_each_service_migrates_into_its_own_schema_as_its_own_role(
    migrated: Cluster, service: Service
) -> None:
    user, password = credentials(service)
    query = "SELECT tableowner FROM pg_tables WHERE schemaname = '{}' AND tablename = '{}'"
    result = migrated.psql(user, password, query.format(schema_of(service), "alembic_version"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == user


@pytest.mark.integration
@pytest.mark.parametrize(
    ("service", "other"), [(ACCOUNTS, PROJECTS), (PROJECTS, ACCOUNTS)], ids=["accounts", "projects"]
)
def test_a_role_has_no_right_on_the_other_services_schema(
    migrated: Cluster, service: Service, other: Service
) -> None:
    user, password = credentials(service)
    theirs = schema_of(other)
    for statement in (
        f"SELECT count(*) FROM {theirs}.alembic_version",  # noqa: S608 - our own constants
        f"CREATE TABLE {theirs}.intruder (id int)",
        "CREATE TABLE public.intruder (id int)",
    ):
        result = migrated.psql(user, password, statement)
        assert result.returncode != 0, f"{user} could run: {statement}"
        assert "permission denied" in result.stderr


@pytest.mark.integration
def test_a_wrong_password_is_refused(initialised: Cluster) -> None:
    result = initialised.psql("accounts", "not-the-password", "SELECT 1")
    assert result.returncode != 0
    assert "password authentication failed" in result.stderr
