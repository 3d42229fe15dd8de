"""Saved runs: ``results/latest.json`` (committed) and one git-ignored file per run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results")
LATEST = "latest.json"


def save(run: dict[str, Any], directory: Path = RESULTS, *, complete: bool = True) -> Path:
    """Write the run as ``<timestamp>.json`` and, when every scenario ran, as ``latest.json``
    (a ``BENCH_ONLY`` run leaves the committed table alone); returns the former."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = run["started_at"].replace(":", "").replace("-", "")
    text = json.dumps(run, indent=2, sort_keys=False) + "\n"
    path = directory / f"{stamp}.json"
    path.write_text(text)
    if complete:
        (directory / LATEST).write_text(text)
    return path


def history(directory: Path = RESULTS) -> list[Path]:
    """Every kept run, oldest first (their names sort by time)."""
    return sorted(p for p in directory.glob("*.json") if p.name != LATEST)


def last_two(directory: Path = RESULTS) -> tuple[Path, Path] | None:
    """The two runs to compare: the newest two kept files, or on a fresh clone (only the
    committed latest.json and at most one local run) latest.json against that run."""
    runs = history(directory)
    if len(runs) >= 2:
        return runs[-2], runs[-1]
    latest = directory / LATEST
    if runs and latest.exists() and load(latest) != load(runs[-1]):
        return latest, runs[-1]
    return None


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data
