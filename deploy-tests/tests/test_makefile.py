"""The make targets that drive the stack and its checks are wired as the README says."""

import re

from .stack import REPO, SERVICES, compose

MAKEFILE = (REPO / "Makefile").read_text()


def rule(target: str) -> tuple[list[str], list[str]]:
    """(prerequisites, recipe lines) of a Makefile target."""
    found = re.search(
        rf"^{re.escape(target)}:([^#\n]*)(?:##.*)?\n((?:\t.*\n?)*)", MAKEFILE, re.MULTILINE
    )
    assert found, f"no `{target}` target in the Makefile"
    return found.group(1).split(), [line.strip() for line in found.group(2).splitlines()]


def variable(name: str) -> list[str]:
    found = re.search(rf"^{name} :?= (.*)$", MAKEFILE, re.MULTILINE)
    assert found, name
    return found.group(1).split()


def test_up_checks_docker_first_then_builds_and_starts_the_stack() -> None:
    prerequisites, recipe = rule("up")
    assert prerequisites == ["check-docker"]  # nothing may change before the check passes
    assert rule("check-docker")[1] == ["@$(SHELL) scripts/check_docker.sh"]
    assert "docker compose up --build -d" in recipe
    key = compose()["secrets"]["jwt_private_key"]["file"].removeprefix("./")
    assert variable("COMPOSE_JWT_KEY") == [key]


def test_down_stops_the_stack() -> None:
    assert rule("down")[1] == ["docker compose down"]


def test_lint_runs_hadolint_on_every_dockerfile() -> None:
    assert any("lint-docker" in line for line in rule("lint")[1])
    assert any("hadolint" in line for line in rule("lint-docker")[1])
    assert variable("DOCKERFILES") == [f"{service.name}/Dockerfile" for service in SERVICES]


def test_make_test_runs_these_tests() -> None:
    assert "deploy-tests" in variable("TEST_SUITES")
