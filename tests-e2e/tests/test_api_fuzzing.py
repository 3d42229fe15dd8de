"""Property-based fuzzing of every operation in the merged OpenAPI, through the gateway, with
schemathesis: no 5xx, and every response matches what the document promises."""

import asyncio
import sys
from pathlib import Path

from taskboard_e2e import TaskboardClient

from .conftest import new_user

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


async def test_every_operation_survives_fuzzing(
    api: TaskboardClient, gateway_url: str, tmp_path: Path
) -> None:
    user, _ = await new_user(api, "fuzz")
    command = [
        str(Path(sys.executable).parent / "st"),
        "run",
        f"{gateway_url}/api/openapi.json",
        "--header",
        f"Authorization: Bearer {user.token}",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "30",
        "--workers",
        "2",
        "--seed",
        "20261125",
        "--no-color",
    ]
    process = await asyncio.create_subprocess_exec(
        *command, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=600)
    report = output.decode(errors="replace")
    print(report[report.rfind("SUMMARY") :])  # the figures: operations, cases, failures
    assert process.returncode == 0, report[-6000:]
