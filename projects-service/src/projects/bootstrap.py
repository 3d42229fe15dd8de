"""Composition root: the only place that knows which concrete class serves each port."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from projects.application.ports import ProjectReadModel, UnitOfWork
from projects.config import Settings
from projects.infrastructure.persistence.database import make_engine, make_session_factory
from projects.infrastructure.persistence.orm import start_mappers
from projects.infrastructure.persistence.project_read_model import SqlProjectReadModel
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
    public_keys: PublicKeySet
    verifier: JwtTokenVerifier

    async def close(self) -> None:
        await self.public_keys.close()
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
    return Container(
        settings=settings,
        engine=engine,
        uow=lambda: SqlAlchemyUnitOfWork(session_factory),
        read_model=SqlProjectReadModel(engine),
        public_keys=public_keys,
        verifier=JwtTokenVerifier(
            public_keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience
        ),
    )
