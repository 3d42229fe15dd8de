"""The README's "Try it" requests, run as written (against this stack's gateway), twice: a reader
who tries them again must not meet a 409."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from urllib.parse import urlsplit

import httpx
from taskboard_e2e.stack import REPO

from taskboard_testing.polling import eventually
from taskboard_testing.services import require_service


def try_it_requests(gateway_url: str) -> str:
    readme = (REPO / "README.md").read_text()
    found = re.search(r"### Try it\n\n```bash\n(.*?)```", readme, re.DOTALL)
    assert found, "README.md has a 'Try it' bash block"
    lines = [line for line in found.group(1).splitlines() if not line.startswith("make ")]
    script = "\n".join(lines).replace("localhost:8000", urlsplit(gateway_url).netloc)
    # Print what the requests leave behind, for the checks below.
    return "set -euo pipefail\n" + script + '\necho\necho "EMAIL=$EMAIL"\necho "TOKEN=$TOKEN"\n'


async def test_the_readme_requests_work_twice_in_a_row(gateway_url: str) -> None:
    if shutil.which("curl") is None:
        require_service("curl", "the README's requests use it")
    script = try_it_requests(gateway_url)
    emails = []
    for _ in range(2):
        result = await asyncio.to_thread(
            subprocess.run,
            ["bash", "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        # curl -s adds no newline: the sign-up's answer is the first JSON document of the output
        first, _ = json.JSONDecoder().raw_decode(result.stdout)
        assert first.get("email", "").startswith("ada-"), first
        emails.append(first["email"])
        email = re.search(r"^EMAIL=(.*)$", result.stdout, re.MULTILINE)
        assert email
        assert email.group(1) == first["email"]
        token = re.search(r"^TOKEN=(.+)$", result.stdout, re.MULTILINE)
        assert token, result.stdout
    assert emails[0] != emails[1]

    # "My first project" arrives through RabbitMQ: it is there soon after, as the README says.
    async with httpx.AsyncClient(base_url=gateway_url) as http:

        async def project_names() -> list[str]:
            answer = await http.get(
                "/api/projects", headers={"Authorization": f"Bearer {token.group(1)}"}
            )
            return [project["name"] for project in answer.json()["projects"]]

        await eventually(
            project_names, until=lambda names: names == ["My first project"], what="starter"
        )
