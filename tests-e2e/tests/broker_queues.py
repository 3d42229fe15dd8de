"""What sits in the stack's RabbitMQ queues, read with rabbitmqctl (the broker on this machine)."""

from __future__ import annotations

from taskboard_e2e.stack import LocalStack

from taskboard_testing import rabbitmqctl


def queue_counts(stack: LocalStack) -> dict[str, int]:
    """Messages in each queue of the stack's vhost (ready and unacknowledged alike)."""
    vhost = stack.amqp_url.rsplit("/", 1)[-1]
    output = rabbitmqctl("list_queues", "-p", vhost, "-q", "--no-table-headers", "name", "messages")
    rows = [line.split() for line in output.splitlines()]
    return {row[0]: int(row[1]) for row in rows if len(row) == 2 and row[1].isdigit()}


async def every_queue_empty(stack: LocalStack) -> dict[str, int]:
    """The queues still holding messages (work, retry and dead-letter ones); empty when none."""
    counts = queue_counts(stack)
    if not counts:
        return {"(no queue declared yet)": 0}
    return {name: n for name, n in counts.items() if n}
