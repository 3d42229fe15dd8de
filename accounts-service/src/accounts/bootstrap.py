"""Composition root: the only place that knows which concrete class serves each port."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from accounts.application.ports import PasswordHasher, TokenIssuer, UnitOfWork, UserReadModel
from accounts.config import Settings
from accounts.infrastructure.messaging.broker import make_broker
from accounts.infrastructure.messaging.message_retention import (
    MessageRetention,
    RetentionSettings,
)
from accounts.infrastructure.messaging.messaging import Messaging
from accounts.infrastructure.messaging.outbox_listener import OutboxListener
from accounts.infrastructure.messaging.outbox_relay import OutboxRelay, RelaySettings
from accounts.infrastructure.persistence.database import (
    driver_free_url,
    make_engine,
    make_session_factory,
)
from accounts.infrastructure.persistence.orm import start_mappers
from accounts.infrastructure.persistence.read_pool import ReadPool
from accounts.infrastructure.persistence.tables import OUTBOX_CHANNEL, inbox, outbox
from accounts.infrastructure.persistence.unit_of_work import SqlAlchemyUnitOfWork
from accounts.infrastructure.persistence.user_read_model import PgUserReadModel
from accounts.infrastructure.security.bcrypt_hasher import BcryptPasswordHasher
from accounts.infrastructure.security.jwt_tokens import JwtTokenIssuer, JwtTokenVerifier
from accounts.infrastructure.security.signing_key import SigningKey
from contracts import ACCOUNTS_EXCHANGE

logger = logging.getLogger(__name__)


@dataclass
class Container:
    """Everything a request or a consumer needs, built once per process."""

    settings: Settings
    engine: AsyncEngine
    uow: Callable[[], UnitOfWork]
    hasher: PasswordHasher
    tokens: TokenIssuer
    verifier: JwtTokenVerifier
    signing_key: SigningKey
    read_model: UserReadModel
    read_pool: ReadPool
    messaging: Messaging

    async def close(self) -> None:
        await self.messaging.stop()
        if isinstance(self.hasher, BcryptPasswordHasher):
            self.hasher.close()
        await self.read_pool.close()
        await self.engine.dispose()


def bootstrap(settings: Settings, *, hasher: PasswordHasher | None = None) -> Container:
    start_mappers()
    engine = make_engine(settings.database_url, pool_size=settings.database_pool_size)
    session_factory = make_session_factory(engine)
    key = _signing_key(settings)
    read_pool = ReadPool(
        driver_free_url(settings.database_url), max_size=settings.database_pool_size
    )
    return Container(
        settings=settings,
        engine=engine,
        uow=lambda: SqlAlchemyUnitOfWork(session_factory),
        hasher=hasher
        or BcryptPasswordHasher(
            rounds=settings.bcrypt_rounds,
            threads=settings.hashing_threads,
            niceness=settings.hashing_niceness,
        ),
        tokens=JwtTokenIssuer(
            key,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=settings.access_token_ttl_seconds,
        ),
        verifier=JwtTokenVerifier(
            [key], issuer=settings.jwt_issuer, audience=settings.jwt_audience
        ),
        signing_key=key,
        read_model=PgUserReadModel(read_pool),
        read_pool=read_pool,
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
        exchange=ACCOUNTS_EXCHANGE,
        engine=engine,
        inbox=inbox,
        retry_delay_ms=settings.retry_delay_ms,
        max_attempts=settings.max_delivery_attempts,
        relay=relay,
        listener=listener,
        retention=retention,
    )


def _signing_key(settings: Settings) -> SigningKey:
    pem = settings.private_key_pem
    if pem is not None:
        return SigningKey.from_pem(pem)
    logger.warning(
        "No JWT signing key configured (ENVIRONMENT=dev): using a throw-away key; tokens will "
        "not survive a restart. Run 'make dev-keys' and set JWT_PRIVATE_KEY_FILE."
    )
    return SigningKey.generate()
