"""What every service process is built on: its database engine and read pool, and its broker
link with the outbox relay and the consumers. A service builds one in its ``bootstrap``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from chassis.messaging.broker import make_broker
from chassis.messaging.messaging import Messaging
from chassis.messaging.outbox_listener import OutboxListener
from chassis.messaging.outbox_relay import OutboxRelay, RelaySettings
from chassis.messaging.retention import MessageRetention, RetentionSettings
from chassis.persistence.database import (
    driver_free_url,
    make_engine,
    make_session_factory,
    ping,
)
from chassis.persistence.idempotency_keys import IdempotencyStore
from chassis.persistence.message_tables import MessageTables
from chassis.persistence.read_pool import ReadPool
from chassis.settings import ServiceSettings
from chassis.telemetry.sql_spans import trace_statements
from chassis.telemetry.telemetry import Telemetry, process_telemetry


@dataclass
class Platform:
    """The process's connections to PostgreSQL and RabbitMQ, started and closed together."""

    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    read_pool: ReadPool
    messaging: Messaging
    telemetry: Telemetry
    idempotency: IdempotencyStore | None = None
    _closed: bool = field(default=False, init=False)

    async def start(self) -> None:
        """Connect to the broker in the background and start the relay; returns at once."""
        await self.messaging.start()

    async def readiness(self) -> dict[str, str]:
        """``ok`` or what is wrong, per dependency: the database, the broker, each consumer and
        the relay this process runs."""
        checks: dict[str, str] = {}
        try:
            await ping(self.engine)
            checks["database"] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure means "not ready", reported as such
            checks["database"] = f"down: {type(error).__name__}"
        broker_up = await self.messaging.ping()
        checks["broker"] = "ok" if broker_up else "down"
        checks.update(await self.messaging.readiness(broker_up=broker_up))
        return checks

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self.messaging.stop()
        await self.read_pool.close()
        await self.engine.dispose()


def build_platform(
    settings: ServiceSettings,
    *,
    exchange: str,
    tables: MessageTables,
    telemetry: Telemetry | None = None,
    idempotency_keys: Table | None = None,
) -> Platform:
    """The platform of a service that publishes to ``exchange`` (which it owns and declares)
    from the outbox in ``tables``, and keeps the ``Idempotency-Key`` responses of its routes in
    ``idempotency_keys`` if given. The process that relays also keeps outbox and inbox short
    and deletes expired idempotency keys. Traces and metrics go to ``telemetry``: by default
    the process's, from ``OTEL_*``."""
    telemetry = telemetry or process_telemetry(settings.service_name)
    tracer = telemetry.tracer
    metrics = telemetry.messaging()
    engine = make_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )
    if tracer is not None:
        trace_statements(engine.sync_engine, tracer)
    dsn = driver_free_url(settings.database_url)
    broker = make_broker(
        settings.amqp_url, app_id=settings.service_name, prefetch=settings.consumer_prefetch
    )
    relay = listener = retention = None
    if settings.run_relay:
        relay = OutboxRelay(
            engine,
            broker,
            tables.outbox,
            RelaySettings(
                batch_size=settings.relay_batch_size,
                poll_interval=settings.relay_poll_interval_seconds,
            ),
            app_id=settings.service_name,
            tracer=tracer,
            metrics=metrics,
        )
        listener = OutboxListener(
            dsn,
            tables.channel,
            on_notify=relay.wake,
            application_name=f"{settings.service_name}-outbox-listener",
        )
        retention = MessageRetention(
            engine,
            outbox=tables.outbox,
            inbox=tables.inbox,
            expiring=idempotency_keys,
            settings=RetentionSettings(
                outbox=timedelta(hours=settings.outbox_retention_hours),
                inbox=timedelta(hours=settings.inbox_retention_hours),
                interval=settings.retention_interval_seconds,
            ),
        )
    messaging = Messaging(
        broker,
        exchange=exchange,
        engine=engine,
        inbox=tables.inbox,
        retry_delay_ms=settings.retry_delay_ms,
        max_attempts=settings.max_delivery_attempts,
        relay=relay,
        listener=listener,
        retention=retention,
        outbox=tables.outbox,
        tracer=tracer,
        metrics=metrics,
    )
    return Platform(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        read_pool=ReadPool(
            dsn,
            max_size=settings.database_pool_size,
            application_name=f"{settings.service_name}-read",
            tracer=tracer,
        ),
        messaging=messaging,
        telemetry=telemetry,
        idempotency=(
            None
            if idempotency_keys is None
            else IdempotencyStore(
                engine, idempotency_keys, ttl=timedelta(hours=settings.idempotency_key_ttl_hours)
            )
        ),
    )
