"""Property-based fuzzing of every operation in the merged OpenAPI, through the gateway, with
schemathesis: no 5xx, every response matches what the document promises, and no operation
refuses most of the data generated from its own schema (the document says what the code
checks)."""

import asyncio
import os
import sys
from pathlib import Path

from taskboard_e2e import TaskboardClient

from .conftest import PASSWORD, new_user

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
LOGOUT = "/api/users/logout"
PASSWORD_CHANGE = "/api/users/me/password"
# Warnings that say the document and the code disagree, or that the run tested nothing.
FAILING_WARNINGS = (
    "Schema validation mismatch",  # most generated data refused: the schema says too little
    "Authentication failed",  # an operation saw only 401/403: the caller's token had ended
    "Unsupported regex patterns",  # a pattern the generator (and Rust's engine) cannot use
)


async def schemathesis(
    gateway_url: str, token: str, workdir: Path, *selection: str, password: str = ""
) -> str:
    """Runs ``st`` over the operations ``selection`` picks, as the user of ``token``; returns
    its report after asserting that it passed. With ``password``, a password change is sent
    with it as the current one (``fuzz_hooks``)."""
    command = [
        str(Path(sys.executable).parent / "st"),
        "run",
        f"{gateway_url}/api/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
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
        *selection,
    ]
    environment = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "fuzz_hooks",
        "FUZZ_CURRENT_PASSWORD": password,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")])
        ),
    }
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=workdir,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=600)
    report = output.decode(errors="replace")
    print(report[report.rfind("SUMMARY") :])  # the figures: operations, cases, failures
    assert process.returncode == 0, report[-6000:]
    warned = [warning for warning in FAILING_WARNINGS if f"{warning}:" in report]
    assert not warned, report[report.find("WARNINGS") :][:6000]
    return report


async def test_every_operation_survives_fuzzing(
    api: TaskboardClient, gateway_url: str, tmp_path: Path
) -> None:
    # Logging out and changing the password end the caller's tokens: fuzzed with the token of
    # the whole run, they would leave every later operation only 401s to answer. Each gets a
    # user of its own.
    user, _ = await new_user(api, "fuzz")
    others = ("--exclude-path", LOGOUT, "--exclude-path", PASSWORD_CHANGE)
    await schemathesis(gateway_url, user.token, tmp_path, *others)

    leaving, _ = await new_user(api, "fuzz-logout")
    await schemathesis(gateway_url, leaving.token, tmp_path, "--include-path", LOGOUT)

    changing, _ = await new_user(api, "fuzz-password")
    await schemathesis(
        gateway_url, changing.token, tmp_path, "--include-path", PASSWORD_CHANGE, password=PASSWORD
    )
