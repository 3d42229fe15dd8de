"""Facts about the machine and the software a run measured, saved beside its figures."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PACKAGES = (
    "aiohttp",
    "uvicorn",
    "uvloop",
    "httptools",
    "fastapi",
    "starlette",
    "pydantic",
    "sqlalchemy",
    "asyncpg",
    "faststream",
    "aio-pika",
    "aiormq",
    "bcrypt",
    "pyjwt",
    "cryptography",
    "httpx",
)


def facts() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
        "tools": {"wrk": _tool_version("wrk", "-v"), "nginx": _tool_version("nginx", "-v")},
        "git": _git(),
    }


def _cpu_model() -> str | None:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or None
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else None


def _memory_gib() -> float | None:
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return None
    match = re.search(r"^MemTotal:\s*(\d+) kB", text, re.MULTILINE)
    return round(int(match.group(1)) / 1024**2, 1) if match else None


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _tool_version(tool: str, flag: str) -> str | None:
    executable = shutil.which(tool)
    if executable is None:
        return None
    result = subprocess.run(  # noqa: S603 - a version query of a local tool
        [executable, flag], capture_output=True, text=True, check=False, timeout=10
    )
    first = (result.stdout + result.stderr).strip().splitlines()
    return first[0].strip() if first else None


def _git() -> dict[str, Any]:
    """The commit measured, and whether the tree had uncommitted changes (read-only git)."""
    git = shutil.which("git")
    if git is None:
        return {}

    def run(*args: str) -> str | None:
        result = subprocess.run(  # noqa: S603 - read-only git queries
            [git, *args], cwd=REPO, capture_output=True, text=True, check=False, timeout=10
        )
        return result.stdout.strip() if result.returncode == 0 else None

    status = run("status", "--porcelain", "--untracked-files=no")
    return {"commit": run("rev-parse", "HEAD"), "dirty": bool(status)}
