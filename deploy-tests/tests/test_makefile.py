"""The make targets that drive the stack and its checks are wired as the README says."""

import importlib.util
import re
import subprocess
from types import ModuleType

from .stack import REPO, SERVICES, compose


def _load_make_targets() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_targets", REPO / "scripts" / "make_targets.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_targets = _load_make_targets()

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
    assert "$(COMPOSE) up --build -d" in recipe
    key = compose()["secrets"]["jwt_private_key"]["file"].removeprefix("./")
    assert variable("COMPOSE_JWT_KEY") == [key]


def test_down_stops_the_stack() -> None:
    assert rule("down")[1] == ["$(COMPOSE) down"]


def test_up_uses_whichever_compose_there_is() -> None:
    """The plugin (v2) when `docker compose` answers, else Debian's docker-compose 1.29; the
    project is named from the environment (1.29 reads no top-level `name:`)."""
    chosen = re.search(r"^COMPOSE \?= (.*)$", MAKEFILE, re.MULTILINE)
    assert chosen
    assert chosen.group(1) == (
        "$(shell docker compose version >/dev/null 2>&1"
        ' && echo "docker compose" || echo docker-compose)'
    )
    assert re.search(r"^COMPOSE_PROJECT_NAME \?= taskboard$", MAKEFILE, re.MULTILINE)
    assert re.search(r"^export COMPOSE_PROJECT_NAME$", MAKEFILE, re.MULTILINE)


def test_lint_runs_hadolint_on_every_dockerfile() -> None:
    assert any("lint-docker" in line for line in rule("lint")[1])
    assert any("hadolint" in line for line in rule("lint-docker")[1])
    assert variable("DOCKERFILES") == [f"{service.name}/Dockerfile" for service in SERVICES]


def test_make_test_runs_these_tests() -> None:
    assert "deploy-tests" in variable("TEST_SUITES")


def test_make_help_and_the_readme_list_the_same_targets_from_the_makefile() -> None:
    """One source of truth: the `## ` comments; the README's table is generated from them."""
    generated = make_targets.table(MAKEFILE)
    readme = (REPO / "README.md").read_text()
    assert make_targets.readme_table(readme) == generated, (
        "README.md's make targets differ from the Makefile's ## comments: run "
        "'python scripts/make_targets.py --write'"
    )
    shown = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert [line.split()[0] for line in shown.splitlines()] == [
        name for name, _ in make_targets.targets(MAKEFILE)
    ]


def test_make_test_says_which_suites_it_runs_in_help_and_readme() -> None:
    suites = variable("TEST_SUITES")
    does = dict(make_targets.targets(MAKEFILE))["test"]
    assert f"({' '.join(suites)})" in does
    readme = " ".join((REPO / "README.md").read_text().split())
    listed = re.search(
        r"`make test` runs each suite in turn \(the Makefile's `TEST_SUITES`\): (.*?)\.", readme
    )
    assert listed, "the README's Tests section names the suites make test runs"
    assert re.findall(r"`([a-z0-9-]+)`", listed.group(1)) == suites


def test_make_test_ends_with_the_compose_test() -> None:
    """`make test` runs docker-compose.yml for real last (deploy-tests/compose), and its result
    counts; `make test-compose` runs it alone."""
    recipe = " ".join(rule("test")[1])
    assert "$(MAKE) --no-print-directory test-compose || status=1" in recipe
    assert rule("test-compose")[1] == ["cd deploy-tests && ../$(BIN)/pytest -q -rs compose"]
    assert (REPO / "deploy-tests" / "compose" / "test_stack.py").is_file()
