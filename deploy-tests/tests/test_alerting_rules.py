"""(i) Prometheus for make observe: the alerting rules (deploy/observability/alerts.yml) pass
``promtool check rules`` and their unit tests (alerts_test.yml, ``promtool test rules``), name
only metrics the processes serve, and the generated scrape configuration (scripts/
prometheus_config.py) names every process of ``make run`` and passes ``promtool check config``.
promtool comes with Debian's prometheus package (.ci/run installs it; make observe too)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import Metric

from chassis.telemetry.http_metrics import request_duration
from chassis.telemetry.messaging_metrics import MessagingMetrics

from .conftest import unavailable
from .stack import REPO

ALERTS = REPO / "deploy" / "observability" / "alerts.yml"
ALERT_TESTS = Path(__file__).with_name("alerts_test.yml")
GENERATOR = REPO / "scripts" / "prometheus_config.py"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
METRIC_NAME = re.compile(r"\b(?:taskboard|http_server)_[a-z_]+\b")


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        unavailable(
            "promtool is not installed (apt-get install --no-install-recommends prometheus)"
        )
    assert found is not None
    return found


def promtool_says(promtool: str, *args: str, cwd: Path = REPO) -> str:
    result = subprocess.run(
        [promtool, *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def alerts() -> list[dict[str, Any]]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_the_rules_pass_promtool_check_rules(promtool: str) -> None:
    assert f"SUCCESS: {len(alerts())} rules found" in promtool_says(
        promtool, "check", "rules", str(ALERTS)
    )


def test_the_rules_pass_their_unit_tests(promtool: str) -> None:
    assert "SUCCESS" in promtool_says(
        promtool, "test", "rules", ALERT_TESTS.name, cwd=ALERT_TESTS.parent
    )


def test_every_alert_has_a_unit_test() -> None:
    tested = {
        case["alertname"]
        for test in yaml.safe_load(ALERT_TESTS.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert {rule["alert"] for rule in alerts()} == tested


def sample_names(metric: Metric) -> list[str]:
    """The series names a metric family is scraped as, also before any label is used."""
    suffixes = SUFFIXES.get(metric.type, ("",))
    return [metric.name + suffix for suffix in suffixes]


def test_the_runbook_says_what_each_alert_means_and_what_to_do() -> None:
    """README's "Operating Taskboard" names every alert in its table of meaning and action,
    and every make target it tells an operator to run exists."""
    readme = (REPO / "README.md").read_text()
    runbook = readme.split("\n## Operating Taskboard\n", 1)[1].split("\n## ", 1)[0]
    rows = {
        match.group(1): match.group(2)
        for match in re.finditer(r"^\| `(\w+)` \([a-z]+\) \|(.+)\|$", runbook, re.MULTILINE)
    }
    assert set(rows) == {rule["alert"] for rule in alerts()}
    for alert, row in rows.items():
        meaning, action = (cell.strip() for cell in row.split(" | "))
        assert meaning, alert
        assert action, alert
    targets = set(re.findall(r"^([a-z-]+):", (REPO / "Makefile").read_text(), re.MULTILINE))
    named = set(re.findall(r"(?:`|^)make ([a-z][a-z-]*)", runbook, re.MULTILINE))
    assert named, "the runbook names no make target"
    assert named <= targets, named - targets


def test_the_rules_name_only_metrics_the_processes_serve() -> None:
    registry = CollectorRegistry()
    MessagingMetrics.on(registry)
    request_duration(registry)
    served = {name for metric in registry.collect() for name in sample_names(metric)}
    named = {name for rule in alerts() for name in METRIC_NAME.findall(rule["expr"])}
    assert named, "the rules name no metric of ours"
    assert named <= served


def generated(tmp_path: Path, **env: str) -> tuple[dict[str, Any], Path]:
    out = tmp_path / "prometheus.yml"
    variables = ("REPLICAS", "GATEWAY_ADMIN_PORT", "ACCOUNTS_PORT", "PROJECTS_PORT")
    clean = {k: v for k, v in os.environ.items() if k not in variables}
    subprocess.run(
        [sys.executable, str(GENERATOR), str(out), "--scrape-interval", "2s"],
        env={**clean, **env},
        check=True,
        capture_output=True,
        timeout=60,
    )
    return yaml.safe_load(out.read_text()), out


def scraped(config: dict[str, Any]) -> dict[str, list[str]]:
    return {
        job["job_name"]: [host for static in job["static_configs"] for host in static["targets"]]
        for job in config["scrape_configs"]
    }


def test_the_config_scrapes_every_process_of_make_run(tmp_path: Path) -> None:
    config, _ = generated(tmp_path)
    assert scraped(config) == {
        "gateway": ["127.0.0.1:8010"],
        "accounts-service": ["127.0.0.1:8001"],
        "projects-service": ["127.0.0.1:8002"],
    }
    assert config["global"]["scrape_interval"] == "2s"
    assert config["rule_files"] == [str(ALERTS)]


def test_the_config_follows_the_ports_and_every_replica(tmp_path: Path) -> None:
    config, _ = generated(
        tmp_path,
        REPLICAS="3",
        GATEWAY_ADMIN_PORT="9010",
        ACCOUNTS_PORT="9001",
        PROJECTS_PORT="9002",
    )
    assert scraped(config) == {
        "gateway": ["127.0.0.1:9010"],
        "accounts-service": ["127.0.0.1:9001", "127.0.0.1:9101", "127.0.0.1:9201"],
        "projects-service": ["127.0.0.1:9002", "127.0.0.1:9102", "127.0.0.1:9202"],
    }


def test_the_generated_config_passes_promtool_check_config(promtool: str, tmp_path: Path) -> None:
    _, path = generated(tmp_path, REPLICAS="2")
    output = promtool_says(promtool, "check", "config", str(path))
    assert f"SUCCESS: {path} is valid prometheus config file syntax" in output
    assert f"SUCCESS: {len(alerts())} rules found" in output
