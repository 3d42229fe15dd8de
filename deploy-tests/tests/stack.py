"""What the deployment files say, parsed: docker-compose.yml, the Dockerfiles, the locks."""

import base64
import hashlib
import importlib
import json
import os
import re
import shlex
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from opentelemetry.sdk import environment_variables as otel_environment
from pydantic import AliasChoices
from pydantic_settings import BaseSettings
from starlette.routing import Match

# What the OpenTelemetry SDK reads itself (the chassis's tracing is configured only by these).
OTEL_VARIABLES = frozenset(name for name in dir(otel_environment) if name.startswith("OTEL_"))

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
COMPOSE_SCHEMA = REPO.parent / "shared" / "schemas" / "compose-spec.json"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class Service:
    """One of our images: where it lives in the repository and how compose runs it."""

    name: str  # compose service name, also the repository folder
    package: str
    settings: str  # "module:Class"
    migrate: str | None  # its one-shot migration service in compose
    secrets: tuple[str, ...] = ()

    @property
    def folder(self) -> Path:
        return REPO / self.name

    @property
    def dockerfile(self) -> Path:
        return self.folder / "Dockerfile"

    @property
    def pyproject(self) -> dict[str, Any]:
        return tomllib.loads((self.folder / "pyproject.toml").read_text())

    @property
    def scripts(self) -> dict[str, str]:
        return dict(self.pyproject["project"].get("scripts", {}))

    @property
    def shared_packages(self) -> tuple[str, ...]:
        """The workspace packages the service's image installs besides itself, in order:
        ``contracts``, then the ``chassis`` if the service is built on it."""
        dependencies = set(self.pyproject["project"]["dependencies"])
        return tuple(name for name in ("contracts", "chassis") if name in dependencies)

    def reads_environment(self) -> frozenset[str]:
        """Every variable the service may read: its settings, what its code reads from
        ``os.environ`` itself (the chassis's ``LOG_FORMAT``, …), and the OpenTelemetry SDK's
        own ``OTEL_*`` variables, the chassis's tracing being configured by them alone."""
        otel = OTEL_VARIABLES if "chassis" in self.shared_packages else frozenset()
        return self.code_reads() | otel

    def code_reads(self) -> frozenset[str]:
        """The variables the service's processes read by name: its settings, and those its code
        and the shared packages it installs read from the environment directly."""
        return frozenset(settings_env_names(self.settings_class())) | environ_reads(
            self.folder / "src", *(REPO / name / "src" for name in self.shared_packages)
        )

    def settings_class(self) -> type[BaseSettings]:
        module, name = self.settings.split(":")
        cls = getattr(importlib.import_module(module), name)
        assert issubclass(cls, BaseSettings)
        return cls

    def compose_names(self) -> tuple[str, ...]:
        """Compose services that run this image: the service and its migration one-shot."""
        return (self.name,) if self.migrate is None else (self.name, self.migrate)


ACCOUNTS = Service(
    "accounts-service",
    package="accounts",
    settings="accounts.config:Settings",
    migrate="accounts-migrate",
    secrets=("jwt_private_key",),
)
PROJECTS = Service(
    "projects-service",
    package="projects",
    settings="projects.config:Settings",
    migrate="projects-migrate",
)
GATEWAY = Service("gateway", package="gateway", settings="gateway.config:Settings", migrate=None)
SERVICES = (ACCOUNTS, PROJECTS, GATEWAY)
WORKSPACE_PACKAGES = {
    "contracts",
    "chassis",
    "accounts",
    "projects",
    "gateway",
    "taskboard-e2e",
    "taskboard-testing",
}


# --- docker-compose.yml -----------------------------------------------------------------------


# `${NAME:-default}`: how docker-compose.yml makes base images, tags and the published address
# configurable. Compose substitutes them before anything else; these checks read the defaults.
COMPOSE_VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*):-([^}]*)\}")


@cache
def compose() -> dict[str, Any]:
    """docker-compose.yml as a user's `make up` sees it: every variable at its default."""
    document = yaml.safe_load(compose_defaults(COMPOSE_FILE.read_text()))
    assert isinstance(document, dict)
    return document


def compose_defaults(text: str) -> str:
    """The file with each `${NAME:-default}` replaced by its default; any other `$` is refused."""
    substituted = COMPOSE_VARIABLE.sub(lambda m: m.group(2), text)
    code = "\n".join(line.split("#", 1)[0] for line in substituted.splitlines())
    assert "$" not in code, "docker-compose.yml: a variable without a default (${NAME:-default})"
    return substituted


@cache
def compose_variables() -> dict[str, str]:
    """Variable name -> its default, for every `${NAME:-default}` docker-compose.yml uses."""
    found: dict[str, str] = {}
    for name, default in COMPOSE_VARIABLE.findall(COMPOSE_FILE.read_text()):
        assert found.setdefault(name, default) == default, f"{name} has two defaults"
    return found


def compose_service(name: str) -> dict[str, Any]:
    service = compose()["services"][name]
    assert isinstance(service, dict)
    return service


def environment(name: str) -> dict[str, str]:
    """A compose service's environment as a mapping (either syntax), values as strings."""
    env = compose_service(name).get("environment", {})
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in env)
        return dict(pairs)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def depends_on(name: str) -> dict[str, str]:
    """Service -> condition (the short list syntax means service_started)."""
    deps = compose_service(name).get("depends_on", {})
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {dep: spec.get("condition", "service_started") for dep, spec in deps.items()}


def published_ports(name: str) -> list[tuple[str, int, int]]:
    """(host address, host port, container port) of a service's `ports` in the short syntax
    "[ADDRESS:]HOST:CONTAINER" (no address: every interface, "0.0.0.0")."""
    found = []
    for entry in compose_service(name).get("ports", []):
        parts = str(entry).split(":")
        address = parts[0] if len(parts) == 3 else "0.0.0.0"  # noqa: S104 - what compose means
        found.append((address, int(parts[-2]), int(parts[-1])))
    return found


def secret_target(secret: str | dict[str, Any]) -> str:
    if isinstance(secret, str):
        return f"/run/secrets/{secret}"
    target = secret.get("target", secret["source"])
    return target if target.startswith("/") else f"/run/secrets/{target}"


def bind_mounts(name: str) -> dict[str, str]:
    """Container path -> host path (relative to the repository) of a service's bind mounts."""
    mounts = {}
    for volume in compose_service(name).get("volumes", []):
        source, target = str(volume).split(":")[:2]
        if source.startswith((".", "/")):
            mounts[target] = source
    return mounts


def url_port(url: str) -> int:
    parts = urlsplit(url)
    assert parts.port is not None, f"{url} names no port"
    return parts.port


def healthcheck_urls(test: list[str] | str) -> list[str]:
    text = test if isinstance(test, str) else " ".join(test)
    return re.findall(r"https?://[^'\"\s]+", text)


# --- Dockerfiles -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    line: int

    def exec_form(self) -> list[str]:
        """The JSON array of CMD/ENTRYPOINT/HEALTHCHECK CMD, or the shell words of other forms."""
        text = self.args
        if self.keyword == "HEALTHCHECK":
            found = re.search(r"(?:^|\s)CMD\s+(.*)$", text)
            assert found, f"line {self.line}: HEALTHCHECK without CMD"
            text = found.group(1)
        if text.startswith("["):
            value = json.loads(text)
            assert isinstance(value, list)
            return [str(item) for item in value]
        return shlex.split(text)

    def options(self) -> dict[str, str]:
        """Leading --flag=value options (COPY --from=..., HEALTHCHECK --interval=...)."""
        head = re.split(r"(?:^|\s)CMD\s", self.args, maxsplit=1)[0]
        return dict(re.findall(r"--([a-z-]+)=(\S+)", head))


@dataclass(frozen=True)
class Stage:
    base: str
    name: str | None
    instructions: tuple[Instruction, ...]

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for instruction in self.all("ENV"):
            for word in shlex.split(instruction.args):
                key, _, value = word.partition("=")
                values[key] = value
        return values

    def copies(self) -> list[tuple[list[str], str]]:
        """(sources, destination) of every COPY/ADD from the build context (not --from)."""
        found = []
        for instruction in self.all("COPY") + self.all("ADD"):
            if "from" in instruction.options():
                continue
            words = [w for w in shlex.split(instruction.args) if not w.startswith("--")]
            found.append((words[:-1], words[-1]))
        return found


@cache
def dockerfile(path: Path) -> tuple[Stage, ...]:
    """Instructions grouped by stage; continuation lines joined, comments dropped. The ARGs
    before the first FROM are in `global_args`."""
    logical: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        stripped = raw.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):
            continue
        if not buffer:
            start = number
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        logical.append((start, buffer + stripped))
        buffer = ""
    stages: list[Stage] = []
    for number, text in logical:
        keyword, _, args = text.partition(" ")
        instruction = Instruction(keyword.upper(), " ".join(args.split()), number)
        if instruction.keyword == "FROM":
            words = instruction.args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(words[0], name, ()))
        elif not stages and instruction.keyword == "ARG":
            continue  # a global build argument (global_args), usable in FROM lines
        else:
            assert stages, f"{path}:{number}: instruction before FROM"
            last = stages[-1]
            stages[-1] = Stage(last.base, last.name, (*last.instructions, instruction))
    return tuple(stages)


@cache
def global_args(path: Path) -> dict[str, str | None]:
    """The ARGs declared before a Dockerfile's first FROM, with their defaults (None: none)."""
    found: dict[str, str | None] = {}
    for raw in path.read_text().splitlines():
        words = raw.split(maxsplit=1)
        if not words or words[0].startswith("#"):
            continue
        if words[0].upper() == "FROM":
            break
        if words[0].upper() == "ARG":
            name, equals, default = words[1].strip().partition("=")
            found[name] = default if equals else None
    return found


def final_stage(service: Service) -> Stage:
    return dockerfile(service.dockerfile)[-1]


def run_commands(stage: Stage) -> list[list[str]]:
    """Each RUN split at `&&` into simple commands (shell words)."""
    commands = []
    for instruction in stage.all("RUN"):
        for part in instruction.args.split("&&"):
            commands.append(shlex.split(part))
    return commands


# --- locks, settings, broker -------------------------------------------------------------------


def lock_requirements(path: Path) -> dict[str, list[str]]:
    """Requirement name (normalised) -> its hashes, from a `uv export` requirements file."""
    requirements: dict[str, list[str]] = {}
    current = None
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not line[0].isspace():
            spec = stripped.rstrip("\\").strip().split(";")[0].strip()
            name = re.split(r"[=<>!~\[ ]", spec, maxsplit=1)[0]
            current = normalise(name)
            requirements[current] = []
        if current is not None:
            requirements[current] += re.findall(r"--hash=sha256:([0-9a-f]{64})", stripped)
    return requirements


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# `os.environ.get("NAME")`, `environ.get("NAME")`, `env.get("NAME")` (a passed-in environ),
# `os.environ["NAME"]`, `os.getenv("NAME")`.
ENVIRON_READ = re.compile(
    r'\b(?:environ|env)\.get\(\s*"([A-Z][A-Z0-9_]*)"'
    r'|\benviron\[\s*"([A-Z][A-Z0-9_]*)"\s*\]'
    r'|\bgetenv\(\s*"([A-Z][A-Z0-9_]*)"'
)
# Operator tools (`make logins`, the dead-letter tool) run from an operator's shell, never in a
# service's process: what they read is theirs.
OPERATOR_TOOLS = "operations"


def environ_reads(*sources: Path) -> frozenset[str]:
    """Variable names read straight from the environment by the code under ``sources``."""
    names: set[str] = set()
    for source in sources:
        for path in source.rglob("*.py"):
            if OPERATOR_TOOLS in path.relative_to(source).parts:
                continue
            for match in ENVIRON_READ.finditer(path.read_text()):
                names.add(next(group for group in match.groups() if group))
    return frozenset(names)


def settings_env_names(cls: type[BaseSettings]) -> set[str]:
    """The environment variable names a pydantic-settings class reads (upper-cased)."""
    return set(settings_env_fields(cls))


def settings_env_fields(cls: type[BaseSettings]) -> dict[str, str]:
    """Environment variable name (upper-cased) -> the field it sets: env_prefix + field name,
    or the field's validation alias(es)."""
    prefix = cls.model_config.get("env_prefix", "") or ""
    names: dict[str, str] = {}
    for field_name, field in cls.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, str):
            names[alias.upper()] = field_name
        elif isinstance(alias, AliasChoices):
            names.update({c.upper(): field_name for c in alias.choices if isinstance(c, str)})
        else:
            names[f"{prefix}{field_name}".upper()] = field_name
    return names


def settings_default(cls: type[BaseSettings], variable: str) -> Any:
    """The code's default for the setting an environment variable sets."""
    return cls.model_fields[settings_env_fields(cls)[variable]].default


def rabbitmq_password_matches(password_hash: str, password: str) -> bool:
    """rabbit_password_hashing_sha256: base64(salt4 + sha256(salt4 + utf-8 password))."""
    raw = base64.b64decode(password_hash, validate=True)
    salt, digest = raw[:4], raw[4:]
    return len(digest) == 32 and hashlib.sha256(salt + password.encode()).digest() == digest


def serves_get(app: Any, path: str) -> bool:
    """Whether a Starlette/FastAPI app has a route answering GET `path` (without running it)."""
    scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}
    return any(route.matches(scope)[0] == Match.FULL for route in app.router.routes)
