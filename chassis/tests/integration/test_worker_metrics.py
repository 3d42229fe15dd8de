"""A worker process (``run_worker``, no HTTP app) serves its own ``/metrics``, ``/health`` and
``/health/ready``: scraped and probed over real HTTP while its relay publishes an outbox row and
its consumer applies it, then stopped with SIGTERM like a pod."""

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from taskboard_testing import eventually

from .processes.metrics_worker import QUEUE
from .test_dead_letter_tool import account_created
from .test_relay_killed_after_confirm import add_event

WORKER = Path(__file__).parent / "processes" / "metrics_worker.py"
METRICS_URL = re.compile(r"metrics on (http://\S+/metrics)")
START_SECONDS = 60.0  # a busy CI machine imports the chassis slowly


class Worker:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.log: list[str] = []
        self._draining: asyncio.Task[None] | None = None

    async def _drain(self) -> None:
        """Keep reading its log, so a full pipe never blocks the worker."""
        assert self.process.stderr is not None
        while line := (await self.process.stderr.readline()).decode():
            self.log.append(line)

    async def metrics_url(self) -> str:
        """The URL the worker logs once its metrics port is bound (WORKER_METRICS_PORT=0)."""
        assert self.process.stderr is not None
        async with asyncio.timeout(START_SECONDS):
            while line := (await self.process.stderr.readline()).decode():
                self.log.append(line)
                if found := METRICS_URL.search(line):
                    self._draining = asyncio.create_task(self._drain())
                    return found.group(1)
        raise AssertionError("the worker exited before serving /metrics:\n" + "".join(self.log))


@pytest.fixture
async def worker(database_url: str, amqp_url: str, outbox: Table) -> AsyncIterator[Worker]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AMQP_URL": amqp_url,
        "WORKER_METRICS_PORT": "0",
        "RELAY_POLL_INTERVAL_SECONDS": "0.05",
        "LOG_FORMAT": "text",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(WORKER), env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        yield Worker(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_a_worker_serves_its_relay_and_consumer_metrics_on_its_own_port(
    worker: Worker, engine: AsyncEngine, outbox: Table
) -> None:
    url = await worker.metrics_url()
    async with httpx.AsyncClient(timeout=10) as client:

        async def scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
            answer = await client.get(url)
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/plain")
            return samples(answer.text)

        # Liveness answers as soon as the port does; readiness names the worker's own parts
        # and turns 200 once its consumer consumes and its relay can publish.
        base = url.removesuffix("/metrics")
        live = await client.get(f"{base}/health")
        assert (live.status_code, live.json()) == (200, {"status": "ok"})

        async def probe() -> httpx.Response:
            return await client.get(f"{base}/health/ready")

        ready = await eventually(
            probe, until=lambda r: r.status_code == 200, timeout=60, what="the worker's readiness"
        )
        assert ready.json() == {
            "status": "ok",
            "checks": {
                "database": "ok",
                "broker": "ok",
                "consumer:chassis-worker-metrics": "ok",
                "relay": "ok",
            },
        }

        first = await scrape()
        assert first[("taskboard_relay_published_messages_total", ())] == 0
        # The consumer is attached (its queue is bound) before a row is written for it.
        consumers = ("taskboard_consumer_queue_consumers", (("queue", QUEUE.name),))
        await eventually(
            scrape, until=lambda m: m.get(consumers) == 1, timeout=60, what="the consumer"
        )

        await add_event(engine, outbox, account_created())
        processed = (
            "taskboard_consumer_messages_total",
            (("outcome", "processed"), ("queue", QUEUE.name)),
        )
        after = await eventually(
            scrape,
            until=lambda m: (
                m.get(processed) == 1
                and m.get(("taskboard_relay_published_messages_total", ())) == 1
            ),
            timeout=60,
            what="the relay's and the consumer's counters",
        )
        assert ("taskboard_outbox_oldest_unpublished_age_seconds", ()) in after

    worker.process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(worker.process.wait(), 30) == 0
    async with httpx.AsyncClient(timeout=2) as client:
        with pytest.raises(httpx.TransportError):  # the port went with the process
            await client.get(url)
