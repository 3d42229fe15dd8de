"""The table, the targets and the side-by-side comparison of two saved runs."""

from pathlib import Path
from typing import Any

import pytest

from bench import report, results
from bench.scenarios.writes import is_consistent
from bench.stats import Summary, percentile
from bench.targets import judge


def run(started: str, rps: float, p50: float, ok: bool) -> dict[str, Any]:
    measured = report.Report()
    measured.rows.append(report.Row("1 read tasks", "gateway c32", rps, p50, p50 * 3, 0))
    measured.figure("s1.gateway_over_nginx_c32", "1 throughput gateway / nginx, c32", 0.7, "x")
    measured.targets = [report.Target("a target", 1.0 if ok else 0.1, 0.5, ">=")]
    return {
        "started_at": started,
        "machine": {"git": {"commit": "0123456789abcdef", "dirty": False}},
        **measured.as_dict(),
    }


def test_compare_shows_both_runs_and_the_change() -> None:
    before = run("2026-01-01T00:00:00Z", rps=1000.0, p50=10.0, ok=False)
    after = run("2026-01-02T00:00:00Z", rps=1500.0, p50=8.0, ok=True)

    text = report.compare(before, after)

    line = next(line for line in text.splitlines() if line.startswith("1 read tasks | gateway"))
    assert line.split()[-9:-6] == ["1,000", "1,500", "+50%"]
    assert "0123456789" in text
    target = next(line for line in text.splitlines() if line.startswith("a target"))
    assert target.split()[-3:] == ["NOT", "MET", "met"]


def test_compare_keeps_rows_only_one_run_has() -> None:
    before = run("a", rps=1000.0, p50=10.0, ok=True)
    after = run("b", rps=1000.0, p50=10.0, ok=True)
    after["rows"].append(
        {"scenario": "6 relay", "variant": "new", "rps": 5.0, "p50_ms": None, "p99_ms": None}
    )

    text = report.compare(before, after)

    assert "6 relay | new" in text


def test_targets_are_judged_against_their_threshold() -> None:
    assert report.Target("x", 0.61, 0.6, ">=").ok is True
    assert report.Target("x", 301.0, 300, "<=").ok is False
    assert report.Target("x", None, 300, "<=").ok is None


def test_scenario_1_target_needs_throughput_and_no_errors() -> None:
    measured = report.Report()
    measured.rows.append(report.Row("1 read tasks", "gateway c32", 2000.0, 5.0, 9.0, 3))

    first = judge(measured)[0]

    assert first.measured == 2000.0
    assert first.ok is False  # 3 non-2xx
    assert all(t.ok is None for t in judge(measured)[1:])  # nothing else measured


def test_render_prints_rows_figures_and_targets() -> None:
    measured = report.Report()
    measured.rows.append(report.Row("1 read tasks", "gateway c1", 812.4, 1.21, 2.5, 0, "note"))
    measured.figure("s1.x", "a figure", 0.456, "x")
    measured.targets = [report.Target("a target", 0.456, 0.6, ">=", "x")]

    text = report.render(measured)

    assert "812" in text
    assert "1.2" in text
    assert "note" in text
    assert "0.456 x" in text
    assert "[NOT MET] a target" in text


def test_percentiles_are_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 201)]

    assert percentile(samples, 50) == 100.0
    assert percentile(samples, 99) == 198.0
    assert Summary.of(samples) == Summary(n=200, p50=100.0, p99=198.0, max=200.0)


def test_write_race_check_allows_only_requests_cut_off_by_wrk() -> None:
    assert is_consistent([1, 2, 3, 4], created=3, in_flight=32)
    assert not is_consistent([1, 2, 4], created=3, in_flight=32)  # a gap
    assert not is_consistent([1, 2], created=3, in_flight=32)  # a 201 without its task


def test_results_keep_one_file_per_run_and_the_latest(tmp_path: Path) -> None:
    first = results.save({"started_at": "2026-01-01T00:00:00Z", "rows": []}, tmp_path)
    second = results.save({"started_at": "2026-01-02T00:00:00Z", "rows": []}, tmp_path)

    assert results.history(tmp_path) == [first, second]
    assert results.load(tmp_path / "latest.json")["started_at"] == "2026-01-02T00:00:00Z"


def test_a_partial_run_is_kept_but_does_not_replace_the_latest(tmp_path: Path) -> None:
    results.save({"started_at": "2026-01-01T00:00:00Z", "rows": []}, tmp_path)
    partial = results.save({"started_at": "2026-01-02T00:00:00Z"}, tmp_path, complete=False)

    assert results.history(tmp_path)[-1] == partial
    assert results.load(tmp_path / "latest.json")["started_at"] == "2026-01-01T00:00:00Z"


@pytest.mark.parametrize(("value", "text"), [(None, "-"), (1234.5, "1,234"), (0.1234, "0.12")])
def test_numbers_are_printed_short(value: float | None, text: str) -> None:
    assert report.fmt(value) == text
