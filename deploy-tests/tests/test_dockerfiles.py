"""(e) Each image installs its service's committed lock with hashes, then only `contracts`, the
`chassis` (for the services built on it) and the service itself, from nothing but their own
folders (and the build tools' lock and the optional wheelhouse in docker/); it runs as a
non-root user."""

import re
import tomllib

import pytest

from .stack import (
    REPO,
    SERVICES,
    WORKSPACE_PACKAGES,
    Service,
    Stage,
    dockerfile,
    final_stage,
    global_args,
    lock_requirements,
    normalise,
    run_commands,
)

BASE_IMAGE = "python:3.11-slim"
BUILD_LOCK = "docker/build-requirements.lock"
WHEELHOUSE = "/wheelhouse"
# What each RUN that installs packages starts with: wheels in the wheelhouse -> only from there.
WHEELHOUSE_SWITCH = (
    f"if ls {WHEELHOUSE}/*.whl >/dev/null 2>&1; "
    f"then set -- --no-index --find-links {WHEELHOUSE}; fi"
)
OTHER_FOLDERS = {
    "accounts-service",
    "projects-service",
    "gateway",
    "tests-e2e",
    "testing",
    "deploy-tests",
}


def builder(service: Service):  # type: ignore[no-untyped-def]
    stages = dockerfile(service.dockerfile)
    assert len(stages) >= 2, f"{service.dockerfile} is not multi-stage"
    return stages[0]


def uv_pip_installs(service: Service) -> list[list[str]]:
    return [c for c in run_commands(builder(service)) if c[:3] == ["uv", "pip", "install"]]


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_every_stage_starts_from_the_python_image_argument(service: Service) -> None:
    """A build argument, so a stand-in can replace the official image; python:3.11-slim unless
    one is given."""
    stages = dockerfile(service.dockerfile)
    assert [stage.base for stage in stages] == ["${PYTHON_IMAGE}"] * len(stages)
    assert global_args(service.dockerfile) == {"PYTHON_IMAGE": BASE_IMAGE}
    assert final_stage(service).name != builder(service).name


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_the_build_tools_come_from_pip_and_their_hash_pinned_lock(service: Service) -> None:
    pip = [c for c in run_commands(builder(service)) if c[:2] == ["pip", "install"]]
    assert len(pip) == 1
    assert "--no-cache-dir" in pip[0]
    assert "--require-hashes" in pip[0]
    assert pip[0][pip[0].index("-r") + 1] == BUILD_LOCK
    assert [BUILD_LOCK] in [sources for sources, _ in builder(service).copies()]


def test_the_build_tools_lock_pins_uv_and_the_build_backend_with_hashes() -> None:
    locked = lock_requirements(REPO / BUILD_LOCK)
    assert {"uv", "hatchling"} <= set(locked)
    assert all(hashes for hashes in locked.values()), [n for n, h in locked.items() if not h]
    text = (REPO / BUILD_LOCK).read_text()
    assert re.search(r"^uv==\d+\.\d+\.\d+ ", text, re.MULTILINE)
    assert "://" not in text
    for member in ("contracts", *(s.name for s in SERVICES)):
        backend = tomllib.loads((REPO / member / "pyproject.toml").read_text())["build-system"]
        assert backend["requires"] == ["hatchling>=1.25"], member


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_every_install_takes_the_wheelhouse_when_there_is_one(service: Service) -> None:
    """Hermetic builds: with wheels in docker/wheelhouse/, every pip and uv install in the image
    gets --no-index --find-links /wheelhouse (no network needed); without, the package index."""
    stage = builder(service)
    copies = {tuple(sources): destination for sources, destination in stage.copies()}
    assert copies[("docker/wheelhouse/",)] == f"{WHEELHOUSE}/"
    installs = [i for i in stage.all("RUN") if re.search(r"\b(pip|uv pip) install\b", i.args)]
    assert len(installs) == 2
    for instruction in installs:
        assert instruction.args.startswith(WHEELHOUSE_SWITCH + " && "), instruction.args
        for command in run_commands(Stage(stage.base, stage.name, (instruction,)))[1:]:
            if command[:2] == ["pip", "install"] or command[:3] == ["uv", "pip", "install"]:
                assert "$@" in command, command


def test_the_wheelhouse_folder_is_committed_empty() -> None:
    folder = REPO / "docker" / "wheelhouse"
    assert (folder / "README.md").is_file()
    assert (folder / ".gitignore").read_text().split() == ["*", "!.gitignore", "!README.md"]


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_third_party_packages_come_only_from_the_hash_pinned_lock(service: Service) -> None:
    lock = f"{service.name}/requirements.lock"
    installs = uv_pip_installs(service)
    assert len(installs) == 2, installs
    from_lock, own = installs
    assert "--require-hashes" in from_lock
    assert from_lock[from_lock.index("-r") + 1] == lock
    assert [lock] in [sources for sources, _ in builder(service).copies()]
    # then the workspace packages, without their dependencies, as real (non-editable) installs,
    # built by the hash-pinned build backend
    assert "--no-deps" in own
    assert "--no-sources" in own
    assert own[own.index("--build-constraints") + 1] == BUILD_LOCK
    assert not {"-e", "--editable"} & set(own)
    assert [arg for arg in own if arg.startswith("./")] == [
        *(f"./{package}" for package in service.shared_packages),
        f"./{service.name}",
    ]


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_the_lock_is_hash_pinned_complete_and_names_no_host(service: Service) -> None:
    path = service.folder / "requirements.lock"
    locked = lock_requirements(path)
    assert locked
    assert all(hashes for hashes in locked.values()), [n for n, h in locked.items() if not h]
    assert not set(locked) & {normalise(p) for p in WORKSPACE_PACKAGES}
    assert "://" not in path.read_text()
    for requirement in service.pyproject["project"]["dependencies"]:
        name = normalise(re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0])
        if name not in service.shared_packages:
            assert name in locked, (
                f"{name} ({service.name}/pyproject.toml) is missing from {path.name}"
            )


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_only_the_service_and_its_shared_packages_are_copied_in(service: Service) -> None:
    sources = [
        src
        for stage in dockerfile(service.dockerfile)
        for sources, _ in stage.copies()
        for src in sources
    ]
    assert sources
    for source in sources:
        if source in ("docker/wheelhouse/", BUILD_LOCK):
            continue
        top = source.strip("/").split("/")[0]
        allowed = (service.name, *service.shared_packages)
        assert top in allowed, f"{service.dockerfile} copies {source}"
        assert top not in OTHER_FOLDERS - {service.name}
        assert "/tests" not in source
        assert "*" not in source
    assert {f"{service.name}/src", *(f"{p}/src" for p in service.shared_packages)} <= set(sources)


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_the_runtime_stage_takes_only_the_venv_from_the_builder(service: Service) -> None:
    stage = final_stage(service)
    from_builder = [i for i in stage.all("COPY") if "from" in i.options()]
    assert [i.args.split()[-2:] for i in from_builder] == [["/opt/venv", "/opt/venv"]]
    assert stage.env()["PATH"].startswith("/opt/venv/bin:")
    assert not [c for c in run_commands(stage) if c[:1] in (["pip"], ["uv"], ["apt-get"])]


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_the_image_runs_as_a_non_root_user(service: Service) -> None:
    stage = final_stage(service)
    user = stage.last("USER")
    assert user is not None, f"{service.dockerfile} runs as root"
    name = user.args.split(":")[0]
    assert name not in ("root", "0")
    assert stage.instructions.index(user) > max(
        stage.instructions.index(i) for i in stage.instructions if i.keyword in ("RUN", "COPY")
    ), "USER must come after the last RUN/COPY"
    assert any(f"--uid {name}" in i.args for i in stage.all("RUN")), (
        f"no user with uid {name} is created"
    )


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_the_image_is_configured_for_production(service: Service) -> None:
    env = final_stage(service).env()
    fields = service.settings_class().model_fields
    if "environment" in fields:
        assert env.get("ENVIRONMENT") == "production"
    else:  # the gateway has no such setting: setting it would only mislead
        assert "ENVIRONMENT" not in env


def test_the_dockerignore_keeps_secrets_and_local_state_out_of_the_context() -> None:
    patterns = ignore_patterns()
    for path in (".git/config", ".venv/bin/python", ".secrets/jwt-dev-private.pem", "uv.lock"):
        assert ignored(path, patterns), path
    for path in (
        "accounts-service/src/accounts/__pycache__/x.pyc",
        "contracts/.pytest_cache/v",
        ".mypy_cache/x",
        ".ruff_cache/x",
    ):
        assert ignored(path, patterns), path


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_the_dockerignore_keeps_what_the_dockerfile_copies(service: Service) -> None:
    patterns = ignore_patterns()
    for stage in dockerfile(service.dockerfile):
        for sources, _ in stage.copies():
            for source in sources:
                assert (REPO / source).exists(), source
                assert not ignored(source, patterns), f".dockerignore drops {source}"
                if (REPO / source).is_dir():
                    for file in (REPO / source).rglob("*"):
                        relative = file.relative_to(REPO).as_posix()
                        if file.is_file() and "__pycache__" not in relative:
                            assert not ignored(relative, patterns), (
                                f".dockerignore drops {relative}"
                            )


def ignore_patterns() -> list[str]:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's matching, enough for our patterns: `*` within a name, `**/` any depth, a match on
    a folder drops everything below it, a later `!pattern` takes a path back."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        regex = re.compile(pattern_regex(pattern.removeprefix("!").strip("/")))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            result = not negated
    return result


def pattern_regex(pattern: str) -> str:
    out = []
    for piece in re.split(r"(\*\*/|\*|\?|\[[^]]*\])", pattern):
        if piece == "**/":
            out.append("(?:.*/)?")
        elif piece == "*":
            out.append("[^/]*")
        elif piece == "?":
            out.append("[^/]")
        elif piece.startswith("[") and piece.endswith("]"):
            out.append(piece)
        else:
            out.append(re.escape(piece))
    return "".join(out)


def test_the_ignore_matcher_matches_like_docker() -> None:
    assert ignored("a/b/__pycache__/c.pyc", ["**/__pycache__"])
    assert ignored("x.pyc", ["**/*.py[cod]"])
    assert ignored(".venv/bin/python", [".venv"])
    assert not ignored("accounts-service/src/a.py", ["**/tests", ".venv", "uv.lock"])
    assert not ignored("a/tests.py", ["**/tests"])
    assert not ignored("keep.lock", ["*.lock", "!keep.lock"])
