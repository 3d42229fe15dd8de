"""``taskboard-dlq``: list, show, replay and purge the consumers' dead-letter queues.

It knows the queues from ``contracts`` (``CONSUMER_QUEUES``) and talks to ``AMQP_URL``."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import datetime
from typing import Annotated, Any, TypeVar

import typer

from chassis.operations.dead_letters import (
    DeadLetter,
    DeadLetters,
    QueueDepth,
    ReplayStoppedError,
    UnknownQueueError,
)
from contracts import CONSUMER_QUEUES

T = TypeVar("T")
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"

app = typer.Typer(
    help="The consumers' dead-letter queues: what is there, why, and sending it back.",
    no_args_is_help=True,
    add_completion=False,
)
AmqpUrl = Annotated[
    str,
    typer.Option(envvar="AMQP_URL", help="RabbitMQ (the vhost the services use)."),
]
Queue = Annotated[
    str,
    typer.Argument(
        help=(
            "A consumer queue by any of its names (current or retired, or a .dlq, as `list` "
            "names it); covers its DLQ and those of its retired generations that still exist."
        )
    ),
]


def _run(work: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(work)
    except UnknownQueueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error


def _dead_letters(url: str) -> DeadLetters:
    return DeadLetters(url, CONSUMER_QUEUES)


@app.command("list")
def list_(amqp_url: AmqpUrl = DEFAULT_AMQP_URL) -> None:
    """Each dead-letter queue and its depth, with those of retired queue generations that still
    exist (the service moves their messages over; `replay` and `purge` of the queue cover them)."""
    depths = _run(_dead_letters(amqp_url).depths())
    width = max(len(d.dead_letter_queue) for d in depths)
    for depth in depths:
        count = "not declared" if depth.dead_letters < 0 else str(depth.dead_letters)
        retired = f"  (retired generation of {depth.queue})" if depth.retired else ""
        typer.echo(f"{depth.dead_letter_queue:<{width}}  {count}{retired}")


@app.command()
def show(
    queue: Queue,
    limit: Annotated[int, typer.Option(min=1, help="At most this many messages.")] = 20,
    amqp_url: AmqpUrl = DEFAULT_AMQP_URL,
) -> None:
    """The dead letters of QUEUE, oldest first, with why and where they died, then how many
    wait in each DLQ. AMQP 0.9.1 cannot browse a queue: each letter is taken and put back, and
    the quorum queue counts that in its x-delivery-count. RabbitMQ 4.0-4.2 drop a letter
    returned more than 20 times (their default delivery limit, as the DLQs set none), so show a
    queue there sparingly and use --limit; 3.x has no default limit and 4.3 does not count a
    put-back letter."""
    letters, waiting = _run(_show(_dead_letters(amqp_url), queue, limit))
    if not letters:
        typer.echo(f"{queue}: no dead letters")
    for letter in letters:
        typer.echo(describe(letter))
    typer.echo(f"{len(letters)} shown; {_still_in(waiting)}")


async def _show(
    tool: DeadLetters, queue: str, limit: int
) -> tuple[list[DeadLetter], list[QueueDepth]]:
    return await tool.show(queue, limit=limit), await tool.waiting(queue)


@app.command()
def replay(
    queue: Queue,
    message_id: Annotated[
        list[str] | None, typer.Option("--id", help="Only this message id (repeatable).")
    ] = None,
    first: Annotated[int | None, typer.Option(min=1, help="Only the first N.")] = None,
    amqp_url: AmqpUrl = DEFAULT_AMQP_URL,
) -> None:
    """Send dead letters back to the queue they died in (all that were there when it began,
    --id ..., or --first N), then say how many are still in each DLQ. Stops with exit status
    3, leaving the rest in place, if that queue does not exist."""
    replayed, stopped, waiting = _run(
        _replay(_dead_letters(amqp_url), queue, message_id or (), first)
    )
    for replayed_id in replayed:
        typer.echo(f"replayed {replayed_id}")
    if stopped is not None:
        typer.echo(f"{len(replayed)} replayed, then stopped: {stopped}", err=True)
        typer.echo(_still_in(waiting), err=True)
        raise typer.Exit(3) from stopped
    typer.echo(f"{len(replayed)} replayed to {queue}, {_still_in(waiting)}")
    missing = set(message_id or ()) - set(replayed)
    if missing:
        typer.echo(f"not found in the DLQ: {', '.join(sorted(missing))}", err=True)
        raise typer.Exit(1)


async def _replay(
    tool: DeadLetters, queue: str, message_ids: list[str] | tuple[()], first: int | None
) -> tuple[list[str], ReplayStoppedError | None, list[QueueDepth]]:
    try:
        replayed, stopped = await tool.replay(queue, message_ids=message_ids, first=first), None
    except ReplayStoppedError as error:
        replayed, stopped = error.replayed, error
    return replayed, stopped, await tool.waiting(queue)


def _still_in(waiting: list[QueueDepth]) -> str:
    """'M still in <dlq>' for each DLQ (the retired generations' only when not empty)."""
    parts = [
        f"{depth.dead_letters} still in {depth.dead_letter_queue}"
        for depth in waiting
        if not depth.retired or depth.dead_letters
    ]
    return ", ".join(parts) or "no dead-letter queue declared"


@app.command()
def purge(
    queue: Queue,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    amqp_url: AmqpUrl = DEFAULT_AMQP_URL,
) -> None:
    """Drop every dead letter of QUEUE, for good."""
    if not yes:
        typer.confirm(f"Drop every dead letter of {queue} for good?", abort=True)
    dropped = _run(_dead_letters(amqp_url).purge(queue))
    typer.echo(f"{dropped} dead letters dropped from {queue}")


def describe(letter: DeadLetter) -> str:
    lines = [
        f"message {letter.message_id}  type {letter.type}  correlation {letter.correlation_id}",
        f"  died in     {letter.died_in} after {letter.attempts or '?'} attempts",
        f"  waits in    {letter.dead_letter_queue or '-'}",
        f"  reason      {letter.reason}",
        f"  history     {letter.history or '-'}",
        f"  published   {_time(letter.published_at)}",
        f"  first death {_time(letter.first_death_at)}",
        f"  last death  {_time(letter.last_death_at)}",
        f"  returned    {letter.redelivered_here} times to its DLQ (x-delivery-count)",
        f"  body        {letter.body.decode(errors='replace')}",
    ]
    return "\n".join(lines)


def _time(value: datetime | None) -> str:
    return value.isoformat() if value else "-"


def main() -> None:
    app()
