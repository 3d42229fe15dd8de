"""What one run measured, as rows, named figures and the issue's targets; the printed table; the
side-by-side comparison of two runs."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.stats import Summary
from bench.wrk import WrkResult


@dataclass
class Row:
    """One line of the table: a scenario in one variant (target, connections)."""

    scenario: str
    variant: str
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    non_2xx: int | None = None
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.scenario} | {self.variant}"


@dataclass
class Figure:
    label: str
    value: float | None
    unit: str = ""


@dataclass
class Target:
    label: str
    measured: float | None
    threshold: float
    comparison: str  # ">=" or "<="
    unit: str = ""
    extra: str = ""  # a further condition, already folded into ``ok``
    ok: bool | None = None

    def __post_init__(self) -> None:
        if self.ok is None and self.measured is not None:
            self.ok = COMPARISONS[self.comparison](self.measured, self.threshold)


COMPARISONS: dict[str, Callable[[float, float], bool]] = {">=": operator.ge, "<=": operator.le}


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    figures: dict[str, Figure] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)  # full wrk results and samples, for JSON
    notes: list[str] = field(default_factory=list)

    def add_wrk(self, scenario: str, variant: str, result: WrkResult, note: str = "") -> Row:
        row = Row(
            scenario,
            variant,
            rps=result.rps,
            p50_ms=result.p50_ms,
            p99_ms=result.p99_ms,
            non_2xx=result.non_2xx + result.failures,
            note=note or describe_statuses(result),
        )
        self.rows.append(row)
        self.raw[row.key] = result.as_dict()
        return row

    def add_latency(self, scenario: str, variant: str, summary: Summary) -> Row:
        note = f"n={summary.n}, max {summary.max:.1f} ms"
        row = Row(scenario, variant, p50_ms=summary.p50, p99_ms=summary.p99, note=note)
        self.rows.append(row)
        return row

    def figure(self, name: str, label: str, value: float | None, unit: str = "") -> None:
        self.figures[name] = Figure(label, value, unit)

    def value(self, name: str) -> float | None:
        figure = self.figures.get(name)
        return figure.value if figure else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": [asdict(row) for row in self.rows],
            "figures": {name: asdict(figure) for name, figure in self.figures.items()},
            "targets": [asdict(target) for target in self.targets],
            "notes": self.notes,
            "raw": self.raw,
        }


def describe_statuses(result: WrkResult) -> str:
    """The non-2xx answers by status and the socket errors by kind, e.g. ``409:12 timeout:3``."""
    parts = [f"{status}:{n}" for status, n in sorted(result.statuses.items()) if status >= 300]
    parts += [f"{kind}:{n}" for kind, n in sorted(result.socket_errors.items())]
    return " ".join(parts)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


# ---------------------------------------------------------------------------------------- text


def fmt(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, int) or value.is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}" if abs(value) >= 1 else f"{value:.{digits + 1}f}"


BUSY_MACHINE = 0.25  # cores of other work above which the figures understate the stack


def render(report: Report) -> str:
    lines = []
    other = report.value("load.run")
    if other is not None and other > BUSY_MACHINE:
        lines += [
            f"WARNING: other work used {other:.2f} cores on average during this run (see the "
            "'other work' figures): req/s and latencies understate the stack; CPU per request "
            "and ratios taken side by side suffer less.",
            "",
        ]
    header = (
        f"{'scenario':<14} {'variant':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'non-2xx':>8}  notes"
    )
    lines += [header, "-" * len(header)]
    for row in report.rows:
        lines.append(
            f"{row.scenario:<14} {row.variant:<34} {fmt(row.rps):>8} {fmt(row.p50_ms):>8} "
            f"{fmt(row.p99_ms):>8} {fmt(row.non_2xx):>8}  {row.note}"
        )
    lines += ["", "figures"]
    for figure in report.figures.values():
        lines.append(f"  {figure.label:<58} {fmt(figure.value, 2):>10} {figure.unit}")
    lines += ["", "targets"]
    for target in report.targets:
        mark = {True: "met    ", False: "NOT MET", None: "n/a    "}[target.ok]
        measured = f"{fmt(target.measured, 2)} {target.unit}".strip()
        extra = f"; {target.extra}" if target.extra else ""
        wanted = f"{target.comparison} {fmt(target.threshold, 2)}"
        lines.append(f"  [{mark}] {target.label:<52} {measured:>14} (want {wanted}){extra}")
    for note in report.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------- compare


def _change(before: float | None, after: float | None) -> str:
    if before is None or after is None or not before:
        return ""
    return f"{(after - before) / before * 100:+.0f}%"


def compare(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Two saved runs (``results/*.json``) side by side: rows by scenario and variant, then the
    figures and the targets' outcomes."""
    a_name, b_name = before.get("started_at", "before"), after.get("started_at", "after")
    lines = [f"A = {a_name} ({_commit(before)})", f"B = {b_name} ({_commit(after)})", ""]
    header = (
        f"{'scenario | variant':<44} {'req/s A':>8} {'req/s B':>8} {'chg':>6} "
        f"{'p50 A':>7} {'p50 B':>7} {'p99 A':>7} {'p99 B':>7} {'n2xx A':>7} {'n2xx B':>7}"
    )
    lines += [header, "-" * len(header)]
    rows_a = {f"{r['scenario']} | {r['variant']}": r for r in before.get("rows", [])}
    rows_b = {f"{r['scenario']} | {r['variant']}": r for r in after.get("rows", [])}
    empty: dict[str, Any] = {}
    for key in _union(rows_a, rows_b):
        a, b = rows_a.get(key, empty), rows_b.get(key, empty)
        lines.append(
            f"{key:<44} {fmt(a.get('rps')):>8} {fmt(b.get('rps')):>8} "
            f"{_change(a.get('rps'), b.get('rps')):>6} "
            f"{fmt(a.get('p50_ms')):>7} {fmt(b.get('p50_ms')):>7} "
            f"{fmt(a.get('p99_ms')):>7} {fmt(b.get('p99_ms')):>7} "
            f"{fmt(a.get('non_2xx')):>7} {fmt(b.get('non_2xx')):>7}"
        )
    figures_a, figures_b = before.get("figures", {}), after.get("figures", {})
    lines += ["", f"{'figure':<60} {'A':>10} {'B':>10} {'chg':>6}"]
    for name in _union(figures_a, figures_b):
        a, b = figures_a.get(name, empty), figures_b.get(name, empty)
        label = (b or a).get("label", name)
        lines.append(
            f"{label:<60} {fmt(a.get('value'), 2):>10} {fmt(b.get('value'), 2):>10} "
            f"{_change(a.get('value'), b.get('value')):>6}"
        )
    targets_a = {t["label"]: t for t in before.get("targets", [])}
    targets_b = {t["label"]: t for t in after.get("targets", [])}
    lines += ["", f"{'target':<60} {'A':>8} {'B':>8}"]
    for label in _union(targets_a, targets_b):
        lines.append(
            f"{label:<60} {_outcome(targets_a.get(label)):>8} {_outcome(targets_b.get(label)):>8}"
        )
    return "\n".join(lines)


def _union(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return list(a) + [key for key in b if key not in a]


def _outcome(target: dict[str, Any] | None) -> str:
    if target is None:
        return ""
    return {True: "met", False: "NOT MET", None: "n/a"}[target.get("ok")]


def _commit(run: dict[str, Any]) -> str:
    git = run.get("machine", {}).get("git", {})
    commit = str(git.get("commit", "?"))[:10]
    return commit + (" + uncommitted changes" if git.get("dirty") else "")
