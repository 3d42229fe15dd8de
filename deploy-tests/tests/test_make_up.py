"""`make up` checks for Docker, Docker Compose and a daemon before it changes anything.

Each case runs the real Makefile and scripts/check_docker.sh in a scratch copy of the repository's
top level, with a PATH that holds only a stand-in `docker` (and `docker-compose`) scripted for
the case, so the result does not depend on what this machine has installed."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from .stack import REPO

MAKE = shutil.which("make")

# Stand-ins: each records its arguments, then answers as the case says.
DOCKER_WITHOUT_COMPOSE = """\
echo "docker $*" >> "$CALLS"
case "$1" in
  compose) echo "docker: unknown command: docker compose" >&2; exit 1 ;;
  info) exit 0 ;;
esac
exit 0
"""
DOCKER_WITH_COMPOSE_NO_DAEMON = """\
echo "docker $*" >> "$CALLS"
case "$1" in
  compose) [ "$2" = version ] && exit 0; exit 0 ;;
  info) echo "Cannot connect to the Docker daemon" >&2; exit 1 ;;
esac
exit 0
"""
DOCKER_WORKING = DOCKER_WITH_COMPOSE_NO_DAEMON.replace(
    'info) echo "Cannot connect to the Docker daemon" >&2; exit 1', "info) exit 0"
)
STANDALONE_COMPOSE = 'echo "docker-compose $*" >> "$CALLS"; exit 0\n'


def install(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(0o755)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """The Makefile and the check script, a private key as `make dev-keys` leaves it, and a bin
    directory with only what the recipes may call besides Docker."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    shutil.copy(REPO / "scripts" / "check_docker.sh", tmp_path / "scripts" / "check_docker.sh")
    secrets = tmp_path / ".secrets"
    secrets.mkdir(mode=0o700)
    key = secrets / "jwt-dev-private.pem"
    key.write_text("not a real key\n")
    key.chmod(0o600)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("timeout", "seq", "sleep", "chmod", "test", "grep", "awk"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    return tmp_path


def make_up(scratch: Path) -> subprocess.CompletedProcess[str]:
    assert MAKE, "make is needed to run the Makefile"
    return subprocess.run(
        [MAKE, "--no-print-directory", "up"],
        cwd=scratch,
        env={"PATH": str(scratch / "bin"), "CALLS": str(scratch / "calls"), "HOME": str(scratch)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_nothing_changed(scratch: Path) -> None:
    key = scratch / ".secrets" / "jwt-dev-private.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    calls = (scratch / "calls").read_text() if (scratch / "calls").exists() else ""
    assert "up" not in calls.split(), calls
    assert "build" not in calls, calls


def test_without_docker_it_says_docker_is_missing(scratch: Path) -> None:
    result = make_up(scratch)
    assert result.returncode != 0
    assert "make up needs Docker: the 'docker' command is not installed" in result.stderr
    assert_nothing_changed(scratch)


def test_without_compose_it_says_compose_is_missing(scratch: Path) -> None:
    install(scratch / "bin", "docker", DOCKER_WITHOUT_COMPOSE)
    result = make_up(scratch)
    assert result.returncode != 0
    assert "make up needs Docker Compose" in result.stderr, result.stderr
    assert "unknown flag" not in result.stderr
    assert_nothing_changed(scratch)


def test_without_a_daemon_it_says_the_daemon_is_not_running(scratch: Path) -> None:
    install(scratch / "bin", "docker", DOCKER_WITH_COMPOSE_NO_DAEMON)
    result = make_up(scratch)
    assert result.returncode != 0
    assert "make up needs a running Docker daemon" in result.stderr, result.stderr
    assert_nothing_changed(scratch)


@pytest.mark.parametrize(
    ("docker", "standalone", "named"),
    [
        (DOCKER_WORKING, None, "docker compose"),
        (DOCKER_WITHOUT_COMPOSE, STANDALONE_COMPOSE, "docker-compose"),
    ],
)
def test_the_check_passes_with_either_compose(
    scratch: Path, docker: str, standalone: str | None, named: str
) -> None:
    install(scratch / "bin", "docker", docker)
    if standalone:
        install(scratch / "bin", "docker-compose", standalone)
    result = subprocess.run(
        ["/bin/bash", "scripts/check_docker.sh"],
        cwd=scratch,
        env={"PATH": str(scratch / "bin"), "CALLS": str(scratch / "calls")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"Compose ({named})" in result.stdout
    assert_nothing_changed(scratch)
