"""Composition root: the only place that knows which concrete class serves each port."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from contracts import PROJECTS_EXCHANGE
from projects.application.ports import ProjectReadModel, UnitOfWork
from projects.config import Settings
from projects.infrastructure.messaging.broker import make_broker
from projects.infrastructure.messaging.message_retention import (
    MessageRetention,
    RetentionSettings,
)
from projects.infrastructure.messaging.messaging import Messaging
from projects.infrastructure.messaging.outbox_listener import OutboxListener
from projects.infrastructure.messaging.outbox_relay import OutboxRelay, RelaySettings
from projects.infrastructure.persistence.database import (
    driver_free_url,
    make_engine,
    make_session_factory,
)
from projects.infrastructure.persistence.orm import start_mappers
from projects.infrastructure.persistence.project_read_model import PgProjectReadModel
from projects.infrastructure.persistence.read_pool import ReadPool
from projects.infrastructure.persistence.tables import OUTBOX_CHANNEL, inbox, outbox
from projects.infrastructure.persistence.unit_of_work import SqlAlchemyUnitOfWork
from projects.infrastructure.security.jwks import HttpJwksFetcher, JwksFetcher, PublicKeySet
from projects.infrastructure.security.token_verifier import JwtTokenVerifier


@dataclass
class Container:
    """Everything a request or a consumer needs, built once per process."""

    settings: Settings
    engine: AsyncEngine
    uow: Callable[[], UnitOfWork]
    read_model: ProjectReadModel
    read_pool: ReadPool
    public_keys: PublicKeySet
    verifier: JwtTokenVerifier
    messaging: Messaging

    async def close(self) -> None:
        await self.messaging.stop()
        await self.public_keys.close()
        await self.read_pool.close()
        await self.engine.dispose()


def bootstrap(settings: Settings, *, jwks_fetcher: JwksFetcher | None = None) -> Container:
    """Build the graph from settings; tests pass their own ``jwks_fetcher`` for accounts' keys."""
    start_mappers()
    engine = make_engine(settings.database_url, pool_size=settings.database_pool_size)
    session_factory = make_session_factory(engine)
    public_keys = PublicKeySet(
        jwks_fetcher or HttpJwksFetcher(settings.jwks_url, timeout=settings.jwks_timeout_seconds),
        max_age=settings.jwks_cache_seconds,
        min_refresh_interval=settings.jwks_min_refresh_seconds,
    )
    read_pool = ReadPool(
        driver_free_url(settings.database_url), max_size=settings.database_pool_size
    )
    return Container(
        settings=settings,
        engine=engine,
        uow=lambda: SqlAlchemyUnitOfWork(session_factory),
        read_model=PgProjectReadModel(read_pool),
        read_pool=read_pool,
        public_keys=public_keys,
        verifier=JwtTokenVerifier(
            public_keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience
        ),
        messaging=build_messaging(settings, engine),
    )


def build_messaging(settings: Settings, engine: AsyncEngine) -> Messaging:
    broker = make_broker(
        settings.amqp_url, app_id=settings.service_name, prefetch=settings.consumer_prefetch
    )
    relay = listener = retention = None
    if settings.run_relay:  # the process that relays the outbox also keeps it (and the inbox) short
        relay = OutboxRelay(
            engine,
            broker,
            outbox,
            RelaySettings(
                batch_size=settings.relay_batch_size,
                poll_interval=settings.relay_poll_interval_seconds,
            ),
            app_id=settings.service_name,
        )
        listener = OutboxListener(
            driver_free_url(settings.database_url), OUTBOX_CHANNEL, on_notify=relay.wake
        )
        retention = MessageRetention(
            engine,
            outbox=outbox,
            inbox=inbox,
            settings=RetentionSettings(
                outbox=timedelta(hours=settings.outbox_retention_hours),
                inbox=timedelta(hours=settings.inbox_retention_hours),
                interval=settings.retention_interval_seconds,
            ),
        )
    return Messaging(
        broker,
        exchange=PROJECTS_EXCHANGE,
        engine=engine,
        inbox=inbox,
        retry_delay_ms=settings.retry_delay_ms,
        max_attempts=settings.max_delivery_attempts,
        relay=relay,
        listener=listener,
        retention=retention,
    )
