"""The real Prometheus (Debian's package, as make observe runs it) scraping the stack under test
with the configuration scripts/prometheus_config.py generates from the stack's ports: every
process is up, the alerting rules load and evaluate, and the relays' and consumers' counters move
when a user registers. Skipped where Prometheus is not installed, a failure under CI=true."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from taskboard_e2e import TaskboardClient
from taskboard_e2e.stack import REPO, LocalStack, Process

from taskboard_testing import eventually, free_port, require_service
from tests.conftest import PASSWORD, unique_email

# Bounds on failure only: Prometheus answers as soon as it has scraped.
DEADLINE_SECONDS = 120
GENERATOR = REPO / "scripts" / "prometheus_config.py"
SERVICES = {"accounts-service", "projects-service"}
JOBS = {"gateway": "gateway-admin", "accounts-service": "accounts", "projects-service": "projects"}


@pytest.fixture(scope="session")
def prometheus_binary() -> str:
    """Asked for before the stack (of the same scope), so that a machine without Prometheus
    starts no stack."""
    binary = shutil.which("prometheus")
    if binary is None:
        require_service("prometheus", "apt-get install --no-install-recommends prometheus")
    assert binary is not None
    return binary


@pytest.fixture(scope="module")
def prometheus_url(
    prometheus_binary: str, stack: LocalStack | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if stack is None:
        pytest.skip("needs the stack it starts itself (GATEWAY_URL is set): its ports to scrape")
    folder = tmp_path_factory.mktemp("prometheus")
    config = folder / "prometheus.yml"
    write_config(stack, config)
    port = free_port()
    server = Process(
        "prometheus",
        [
            prometheus_binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        dict(os.environ),
        folder / "prometheus.log",
    )
    server.start()
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(url, server)
        yield url
    finally:
        server.stop()


def wait_until_ready(url: str, server: Process) -> None:
    """``/-/ready`` answers 200 (it answers 503 while the TSDB opens)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if server.popen is not None and server.popen.poll() is not None:
            raise RuntimeError(f"prometheus exited:\n{server.log_tail()}")
        try:
            if httpx.get(f"{url}/-/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"prometheus not ready in {DEADLINE_SECONDS}s:\n{server.log_tail()}")


def write_config(stack: LocalStack, config: Path) -> None:
    """make observe's generator, given the stack's ports the way make run's are given."""
    env = {
        **os.environ,
        "REPLICAS": "1",
        "GATEWAY_ADMIN_PORT": str(stack.ports["gateway-admin"]),
        "ACCOUNTS_PORT": str(stack.ports["accounts"]),
        "PROJECTS_PORT": str(stack.ports["projects"]),
    }
    subprocess.run(
        [sys.executable, str(GENERATOR), str(config), "--scrape-interval", "2s"],
        env=env,
        check=True,
        capture_output=True,
    )


@pytest.fixture
async def prometheus(prometheus_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=prometheus_url, timeout=5) as client:
        yield client


async def api(prometheus: httpx.AsyncClient, path: str, **params: str) -> Any:
    """``data`` of a Prometheus API answer; None while Prometheus does not answer yet."""
    try:
        response = await prometheus.get(path, params=params)
    except httpx.TransportError:
        return None
    body = response.json()
    assert body["status"] == "success", body
    return body["data"]


async def by_job(prometheus: httpx.AsyncClient, query: str) -> dict[str, float]:
    """``sum by (job) (query)``'s value per job; a job without such a series is left out."""
    data = await api(prometheus, "/api/v1/query", query=f"sum by (job) ({query})")
    results = data["result"] if data else []
    return {r["metric"]["job"]: float(r["value"][1]) for r in results}


async def test_every_process_of_the_stack_is_scraped_and_up(
    prometheus: httpx.AsyncClient, stack: LocalStack
) -> None:
    # A scrape may time out on a busy machine (the timeout is the 1 s interval): each target
    # must be seen up, not all three in the same poll.
    seen_up: set[str] = set()

    def all_seen_up(data: Any) -> bool:
        targets = data["activeTargets"] if data else []
        seen_up.update(t["labels"]["job"] for t in targets if t["health"] == "up")
        return seen_up == set(JOBS)

    async def targets() -> Any:
        return await api(prometheus, "/api/v1/targets")

    data = await eventually(
        targets, until=all_seen_up, timeout=DEADLINE_SECONDS, what="every target up"
    )
    scraped = {t["labels"]["job"]: t["scrapeUrl"] for t in data["activeTargets"]}
    assert scraped == {
        job: f"http://127.0.0.1:{stack.ports[process]}/metrics" for job, process in JOBS.items()
    }


async def test_the_alerting_rules_load_and_evaluate(prometheus: httpx.AsyncClient) -> None:
    async def rules() -> list[dict[str, Any]]:
        data = await api(prometheus, "/api/v1/rules", type="alert")
        groups = data["groups"] if data else []
        return [rule for group in groups for rule in group["rules"]]

    def evaluated(found: list[dict[str, Any]]) -> bool:
        return bool(found) and all(
            rule.get("lastEvaluation", "0001").startswith("20") for rule in found
        )

    found = await eventually(
        rules, until=evaluated, timeout=DEADLINE_SECONDS, what="rules evaluated"
    )
    assert {rule["name"] for rule in found} >= {
        "OutboxBacklogTooOld",
        "MessagesDeadLettered",
        "ConsumerQueueWithoutConsumers",
        "HttpServerErrors",
        "ProcessDown",
    }
    assert all(rule["health"] == "ok" for rule in found), found


async def test_a_registration_moves_the_relay_and_consumer_counters(
    prometheus: httpx.AsyncClient, gateway_url: str
) -> None:
    # The last value of the past minute: a scrape that timed out on a busy machine marks the
    # series stale for an instant query, not for a range.
    def last(counter: str) -> Callable[[], Awaitable[dict[str, float]]]:
        return lambda: by_job(prometheus, f"max_over_time({counter}[1m])")

    relays = last("taskboard_relay_published_messages_total")
    consumers = last('taskboard_consumer_messages_total{outcome="processed"}')
    # Both services' relay counters are scraped (0 or more) before the registration...
    before_published = await eventually(
        relays, until=lambda v: set(v) >= SERVICES, timeout=DEADLINE_SECONDS, what="relay counters"
    )
    before_processed = await consumers()  # no series until a consumer has processed a message
    async with TaskboardClient(gateway_url) as client:
        await client.register(unique_email("scraped"), PASSWORD)

    # ...and move after it: accounts publishes UserRegistered, projects consumes it, creates the
    # starter project and publishes ProjectCreated, which accounts' projection consumes.
    def moved(before: dict[str, float]) -> Callable[[dict[str, float]], bool]:
        return lambda now: all(now.get(job, 0) > before.get(job, 0) for job in SERVICES)

    await eventually(
        relays, until=moved(before_published), timeout=DEADLINE_SECONDS, what="relays published"
    )
    await eventually(
        consumers,
        until=moved(before_processed),
        timeout=DEADLINE_SECONDS,
        what="consumers processed",
    )


async def test_the_gauges_the_alerts_read_are_there(prometheus: httpx.AsyncClient) -> None:
    """On a healthy stack: each service reports its outbox's age, and for each of its consumer
    queues the dead-letter count and at least one consumer (other tests may kill a process of
    this stack: the consumers come back, hence polled)."""

    async def series(metric: str) -> dict[tuple[str, str], float]:
        data = await api(
            prometheus, "/api/v1/query", query=f"max by (job, queue) (last_over_time({metric}[1m]))"
        )  # the last value seen: a scrape that timed out on a busy machine leaves no gap
        results = data["result"] if data else []
        return {
            (r["metric"]["job"], r["metric"].get("queue", "")): float(r["value"][1])
            for r in results
        }

    async def gauges() -> dict[str, dict[tuple[str, str], float]]:
        return {
            name: await series(f"taskboard_{name}")
            for name in ("outbox_oldest_unpublished_age_seconds", "consumer_queue_consumers")
        } | {"dead_letter_messages": await series("taskboard_dead_letter_messages")}

    def healthy(found: dict[str, dict[tuple[str, str], float]]) -> bool:
        consumers = found["consumer_queue_consumers"]
        return (
            {job for job, _ in found["outbox_oldest_unpublished_age_seconds"]} == SERVICES
            and {job for job, _ in consumers} == SERVICES
            and set(found["dead_letter_messages"]) == set(consumers)
            and all(count >= 1 for count in consumers.values())
        )

    await eventually(
        gauges, until=healthy, timeout=DEADLINE_SECONDS, what="the gauges of both services"
    )
