"""`make seed` (taskboard-seed) as documented: fixed demo users, existing ones skipped, the
password in --help, and progress lines when its output is not a terminal."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from taskboard_e2e import TaskboardClient

SEED = str(Path(sys.executable).parent / "taskboard-seed")


def seed(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SEED, *args], capture_output=True, text=True, timeout=300, check=False
    )  # stdout is a pipe here, not a terminal


def test_help_names_the_fixed_users_and_their_password() -> None:
    result = seed("--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.replace("│", " ").split())
    assert "user1..N@email.com" in text
    assert "password 'password'" in text
    assert "already there are skipped" in text


async def test_seeding_twice_creates_the_fixed_users_once_with_progress_lines(
    gateway_url: str, api: TaskboardClient
) -> None:
    first = await asyncio.to_thread(seed, "--gateway-url", gateway_url, "--users", "10")
    assert first.returncode == 0, first.stderr
    progress = [line for line in first.stdout.splitlines() if line.startswith("seeding users:")]
    assert [line.split()[2] for line in progress] == [f"{n}/10" for n in range(1, 11)]
    assert "\x1b" not in first.stdout  # no progress bar's control codes in a pipe

    second = await asyncio.to_thread(seed, "--gateway-url", gateway_url, "--users", "10")
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[-1] == (
        "seeded 0 user(s), 11 already there; log in as test@email.com / password "
        "(or user1..10@email.com, same password)"
    )

    user = api.as_user("")
    await user.login("user10@email.com", "password")
    projects = await user.call("GET", "/api/projects")
    names = {project["name"] for project in projects["projects"]}
    assert {"Software Engineering", "Learn Domain Driven Design", "Household"} <= names
