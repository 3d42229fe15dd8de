"""What a fresh interpreter has imported after running some code: how the tests check that a
start-up step loads only what it uses (no timing: which modules, not how long)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping

REPORT = "\nimport json as _json, sys as _sys\nprint(_json.dumps(sorted(_sys.modules)))\n"


def modules_loaded_by(code: str, *, env: Mapping[str, str] | None = None) -> set[str]:
    """Run ``code`` in a new ``python`` (this one's), then return every module it had loaded.

    ``code`` must not print to stdout; it fails the test (with its stderr) if it raises."""
    result = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code + REPORT],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{code!r} failed:\n{result.stderr}"
    return set(json.loads(result.stdout.splitlines()[-1]))


def packages_in(loaded: set[str], packages: Iterable[str]) -> list[str]:
    """Those of ``packages`` (top-level names, or a package and its submodules) in ``loaded``."""
    return sorted(
        package
        for package in packages
        if any(name == package or name.startswith(package + ".") for name in loaded)
    )
