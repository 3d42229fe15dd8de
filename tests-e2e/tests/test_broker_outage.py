"""With RabbitMQ stopped, registrations still succeed; once it is back, every new user gets
exactly one starter project: the outbox kept the events, the relay and the consumer resumed."""

import asyncio
import os

import pytest
from taskboard_e2e import TaskboardClient
from taskboard_e2e.stack import LocalStack

from taskboard_testing import eventually, rabbitmqctl

from .conftest import PASSWORD, unique_email
from .outages import rabbitmq_app_stopped

USERS = 8


async def test_registrations_during_a_broker_outage_get_one_starter_project_each(
    api: TaskboardClient, stack: LocalStack | None
) -> None:
    if stack is None or os.environ.get("AMQP_URL", "").split("@")[-1].split(":")[0] not in (
        "",
        "127.0.0.1",
        "localhost",
    ):
        pytest.skip("stopping RabbitMQ needs the broker on this machine and a stack started here")

    emails = [unique_email("outage") for _ in range(USERS)]
    with rabbitmq_app_stopped():  # started again (and awaited) however this block ends
        for email in emails:
            created = await api.request(
                "POST", "/api/users", json={"email": email, "password": PASSWORD}
            )
            assert created.status_code == 201, created.text
        users = [api.as_user("") for _ in emails]
        await asyncio.gather(*(u.login(e, PASSWORD) for u, e in zip(users, emails, strict=True)))
        # The gateway's summary is refreshed in the background: it says so within a moment.
        ready = await eventually(
            lambda: api.request("GET", "/health"),
            until=lambda r: r.status_code == 503,
            what="the gateway's health saying the broker link is down",
        )
        assert "broker" in ready.text

    for user in users:
        await eventually(
            user.projects, until=lambda page: page["total"] >= 1, timeout=60, what="starter project"
        )
    await eventually(lambda: api.request("GET", "/health"), until=lambda r: r.status_code == 200)
    # Everything has drained once both consumer queues are empty; only then count.
    await eventually(_queues_drained(stack), timeout=30, what="consumer queues drained")
    for user in users:
        listing = await user.projects()
        assert listing["total"] == 1
        assert listing["projects"][0]["name"] == "My first project"


def _queues_drained(stack: LocalStack):  # type: ignore[no-untyped-def]
    vhost = stack.amqp_url.rsplit("/", 1)[-1]

    async def drained() -> bool:
        output = rabbitmqctl(
            "list_queues", "-p", vhost, "-q", "--no-table-headers", "name", "messages"
        )
        rows = [line.split() for line in output.splitlines()]
        counts = {row[0]: int(row[1]) for row in rows if len(row) == 2 and row[1].isdigit()}
        work = [q for q in counts if not q.endswith((".dlq", ".retry"))]
        return bool(work) and all(counts[q] == 0 for q in work)

    return drained
