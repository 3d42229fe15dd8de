"""Composition root: the only place that knows which concrete class serves each port."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from chassis import (
    AccessTokenVerifier,
    OutboxSession,
    Platform,
    PolledRevocations,
    RecentRevocations,
    build_platform,
)
from contracts import PROJECTS_EXCHANGE
from projects.application.ports import ProjectReadModel, TokenRevocations, UnitOfWork
from projects.config import Settings
from projects.infrastructure.persistence.orm import start_mappers
from projects.infrastructure.persistence.project_read_model import PgProjectReadModel
from projects.infrastructure.persistence.tables import (
    idempotency_keys,
    messages,
    revoked_tokens,
)
from projects.infrastructure.persistence.token_revocations import SqlTokenRevocations
from projects.infrastructure.persistence.unit_of_work import project_unit_of_work
from projects.infrastructure.security.jwks import HttpJwksFetcher, JwksFetcher, PublicKeySet


@dataclass
class Container:
    """Everything a request or a consumer needs, built once per process."""

    settings: Settings
    platform: Platform
    uow: Callable[[], UnitOfWork]
    # inside a consumer's transaction, or an idempotent request's
    uow_joining: Callable[[AsyncConnection], UnitOfWork]
    read_model: ProjectReadModel
    token_revocations: Callable[[AsyncConnection], TokenRevocations]  # in a consumer's tx
    public_keys: PublicKeySet
    verifier: AccessTokenVerifier

    def uow_in(self, connection: AsyncConnection | None) -> UnitOfWork:
        """Inside ``connection``'s transaction (an idempotent request's), else one of its own."""
        return self.uow() if connection is None else self.uow_joining(connection)

    async def close(self) -> None:
        await self.platform.close()
        await self.public_keys.close()


def bootstrap(
    settings: Settings,
    *,
    jwks_fetcher: JwksFetcher | None = None,
    uow: Callable[[], UnitOfWork] | None = None,
    read_model: ProjectReadModel | None = None,
) -> Container:
    """Build the graph from settings; tests pass fakes for any of the ports they name and their
    own ``jwks_fetcher`` for accounts' keys."""
    start_mappers()
    platform = build_platform(
        settings, exchange=PROJECTS_EXCHANGE, tables=messages, idempotency_keys=idempotency_keys
    )
    public_keys = PublicKeySet(
        jwks_fetcher or HttpJwksFetcher(settings.jwks_url, timeout=settings.jwks_timeout_seconds),
        max_age=settings.jwks_cache_seconds,
        min_refresh_interval=settings.jwks_min_refresh_seconds,
    )
    return Container(
        settings=settings,
        platform=platform,
        uow=uow
        or (lambda: project_unit_of_work(OutboxSession(platform.sessions, messages.outbox))),
        uow_joining=lambda connection: project_unit_of_work(
            OutboxSession.joining(connection, messages.outbox)
        ),
        read_model=read_model or PgProjectReadModel(platform.read_pool),
        token_revocations=SqlTokenRevocations,
        public_keys=public_keys,
        verifier=AccessTokenVerifier(
            public_keys,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            revocations=PolledRevocations(
                RecentRevocations(
                    platform.read_pool,
                    revoked_tokens.c.user_id,
                    revoked_tokens.c.revoked_before,
                ),
                refresh_interval=settings.token_revocation_refresh_seconds,
            ),
        ),
    )
