"""One trace across the asynchronous hop, over the real database and broker: the request's
transaction stores its context on the outbox row, the relay publishes under a producer span
continuing it (``traceparent`` in the AMQP headers), the consumer's span continues that, and
the consumer's database effects and its own outbox rows are its children. A retried delivery
is another consumer span in the same trace. Spans go to the SDK's in-memory exporter."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from chassis import Messaging, OutboxSession, outbox_row
from chassis.messaging.broker import make_broker
from chassis.messaging.outbox_relay import OutboxRelay, RelaySettings
from chassis.persistence.database import make_engine
from chassis.telemetry.sql_spans import trace_statements
from chassis.telemetry.telemetry import Telemetry
from contracts import ConsumerQueueNames, Envelope, UserAccountCreated, UserEmailChanged
from taskboard_testing import eventually

QUEUE = ConsumerQueueNames("chassis_test.traced", events=(UserAccountCreated,))


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def telemetry(spans: InMemorySpanExporter) -> Telemetry:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    return Telemetry.create("chassis-test", tracer_provider=provider)


@pytest.fixture
async def traced_engine(
    database_url: str, telemetry: Telemetry, outbox: Table
) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, pool_size=5)
    assert telemetry.tracer is not None
    trace_statements(engine.sync_engine, telemetry.tracer)
    yield engine
    await engine.dispose()


def account_created() -> dict[str, Any]:
    user_id = uuid4()
    return outbox_row(
        UserAccountCreated(user_id=user_id, email=f"u-{user_id.hex[:8]}@example.com"),
        producer="chassis-test",
        aggregate_id=user_id,
        aggregate_version=1,
        occurred_at=datetime.now(UTC),
        correlation_id="request-1",
    )


class Effect:
    """The consumer's effect: writes an outbox row of its own in the consumer's transaction."""

    def __init__(self, outbox: Table, failures: int = 0) -> None:
        self.outbox = outbox
        self.failures = failures
        self.applied: list[str] = []

    async def __call__(self, envelope: Envelope[Any], connection: AsyncConnection) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("fails once")
        session = OutboxSession.joining(connection, self.outbox)
        session.open()
        user_id = envelope.payload.user_id
        await session.commit(
            [
                outbox_row(
                    UserEmailChanged(
                        user_id=user_id, old_email="old@example.com", new_email="new@example.com"
                    ),
                    producer="chassis-test",
                    aggregate_id=user_id,
                    aggregate_version=2,
                    occurred_at=datetime.now(UTC),
                    correlation_id=str(envelope.message_id),
                )
            ]
        )
        await session.close()
        self.applied.append(str(envelope.message_id))


@contextlib.asynccontextmanager
async def relaying_and_consuming(  # noqa: PLR0917 - the test's fixtures, handed on
    amqp_url: str,
    engine: AsyncEngine,
    outbox: Table,
    inbox: Table,
    telemetry: Telemetry,
    effect: Effect,
) -> AsyncIterator[Messaging]:
    broker = make_broker(amqp_url, app_id="chassis-test", prefetch=4)
    metrics = telemetry.messaging()
    relay = OutboxRelay(
        engine,
        broker,
        outbox,
        RelaySettings(poll_interval=0.05),
        app_id="chassis-test",
        tracer=telemetry.tracer,
        metrics=metrics,
    )
    messaging = Messaging(
        broker,
        exchange=UserAccountCreated.exchange,
        engine=engine,
        inbox=inbox,
        retry_delay_ms=100,
        max_attempts=3,
        relay=relay,
        listener=None,
        outbox=outbox,
        tracer=telemetry.tracer,
        metrics=metrics,
        metrics_max_age=0.0,
    )
    messaging.consume(name="chassis-traced", queue=QUEUE, handle=effect, description="test")
    await messaging.start()
    try:
        await asyncio.wait_for(messaging.connected.wait(), timeout=30)
        yield messaging
    finally:
        await messaging.stop()


async def write_in_request(engine: AsyncEngine, outbox: Table, telemetry: Telemetry) -> str:
    """A request's transaction writing one outbox row; returns the request span's id."""
    assert telemetry.tracer is not None
    with telemetry.tracer.start_as_current_span("POST /things", kind=SpanKind.SERVER) as span:
        session = OutboxSession(lambda: AsyncSession(engine, expire_on_commit=False), outbox)
        session.open()
        await session.commit([account_created()])
        await session.close()
        return format(span.get_span_context().span_id, "016x")


def by_kind(spans: tuple[ReadableSpan, ...], kind: SpanKind) -> list[ReadableSpan]:
    return [span for span in spans if span.kind is kind]


def parent_id(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


async def test_one_trace_from_the_writing_transaction_to_the_consumers_own_outbox_rows(  # noqa: PLR0917
    amqp_url: str,
    traced_engine: AsyncEngine,
    outbox: Table,
    inbox: Table,
    telemetry: Telemetry,
    spans: InMemorySpanExporter,
) -> None:
    effect = Effect(outbox)
    async with relaying_and_consuming(
        amqp_url, traced_engine, outbox, inbox, telemetry, effect
    ) as messaging:
        request_span_id = await write_in_request(traced_engine, outbox, telemetry)
        await eventually(lambda: _value(effect.applied), what="the consumer's effect")
        consumers = await eventually(
            lambda: _value(by_kind(spans.get_finished_spans(), SpanKind.CONSUMER)),
            what="the consumer's span",
        )
        await messaging.refresh_metrics()

    async with traced_engine.connect() as connection:
        stored = dict(
            (await connection.execute(select(outbox.c.message_type, outbox.c.trace_context))).all()
        )
    request = next(s for s in spans.get_finished_spans() if s.name == "POST /things")
    trace_id = request.context.trace_id
    assert stored["UserAccountCreated"]["traceparent"].split("-")[2] == request_span_id

    producers = [
        s
        for s in by_kind(spans.get_finished_spans(), SpanKind.PRODUCER)
        if s.context.trace_id == trace_id
    ]
    assert len(producers) >= 1
    producer = producers[0]
    assert parent_id(producer) == request.context.span_id
    assert producer.attributes is not None
    assert producer.attributes["messaging.destination.name"] == UserAccountCreated.exchange

    (consumer,) = consumers
    assert consumer.context.trace_id == trace_id
    assert parent_id(consumer) == producer.context.span_id
    statements = [
        s
        for s in by_kind(spans.get_finished_spans(), SpanKind.CLIENT)
        if parent_id(s) == consumer.context.span_id
    ]
    assert any("inbox" in str((s.attributes or {}).get("db.query.text")) for s in statements)
    # The consumer's own outbox row carries the consumer span's context: the next hop joins.
    own = stored["UserEmailChanged"]["traceparent"].split("-")
    assert own[1] == format(trace_id, "032x")
    assert own[2] == format(consumer.context.span_id, "016x")

    metrics = telemetry.registry
    assert (metrics.get_sample_value("taskboard_relay_published_messages_total") or 0) >= 1
    assert (
        metrics.get_sample_value(
            "taskboard_consumer_messages_total", {"queue": QUEUE.name, "outcome": "processed"}
        )
        == 1
    )
    assert metrics.get_sample_value("taskboard_dead_letter_messages", {"queue": QUEUE.name}) == 0
    assert (
        metrics.get_sample_value("taskboard_consumer_queue_consumers", {"queue": QUEUE.name}) == 1
    )
    assert metrics.get_sample_value("taskboard_outbox_unpublished_messages") is not None


async def test_a_retried_delivery_is_another_consumer_span_of_the_same_trace(  # noqa: PLR0917
    amqp_url: str,
    traced_engine: AsyncEngine,
    outbox: Table,
    inbox: Table,
    telemetry: Telemetry,
    spans: InMemorySpanExporter,
) -> None:
    effect = Effect(outbox, failures=1)
    async with relaying_and_consuming(amqp_url, traced_engine, outbox, inbox, telemetry, effect):
        await write_in_request(traced_engine, outbox, telemetry)
        await eventually(lambda: _value(effect.applied), what="the effect after a retry")
        consumers = await eventually(
            lambda: _value(by_kind(spans.get_finished_spans(), SpanKind.CONSUMER)),
            until=lambda found: len(found) == 2,
            what="two consumer spans",
        )
    request = next(s for s in spans.get_finished_spans() if s.name == "POST /things")
    producer = next(
        s
        for s in by_kind(spans.get_finished_spans(), SpanKind.PRODUCER)
        if parent_id(s) == request.context.span_id
    )
    assert {s.context.trace_id for s in consumers} == {request.context.trace_id}
    assert {parent_id(s) for s in consumers} == {producer.context.span_id}
    failed, succeeded = sorted(consumers, key=lambda s: s.start_time or 0)
    assert not failed.status.is_ok
    assert succeeded.status.is_unset
    assert (
        telemetry.registry.get_sample_value(
            "taskboard_consumer_messages_total", {"queue": QUEUE.name, "outcome": "retried"}
        )
        == 1
    )


async def _value(items: list[Any]) -> list[Any]:
    return items
