"""Composition root: the only place that knows which concrete class serves each port."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from accounts.application.ports import (
    AttemptKind,
    AttemptThrottle,
    PasswordHasher,
    TokenIssuer,
    UnitOfWork,
    UserProjects,
    UserReadModel,
)
from accounts.config import Settings
from accounts.infrastructure.persistence.attempt_throttle import PgAttemptThrottle
from accounts.infrastructure.persistence.orm import start_mappers
from accounts.infrastructure.persistence.tables import attempts, idempotency_keys, messages, users
from accounts.infrastructure.persistence.unit_of_work import user_unit_of_work
from accounts.infrastructure.persistence.user_projects_projection import SqlUserProjects
from accounts.infrastructure.persistence.user_read_model import PgUserReadModel
from accounts.infrastructure.security.bcrypt_hasher import BcryptPasswordHasher
from accounts.infrastructure.security.jwt_tokens import JwtTokenIssuer
from accounts.infrastructure.security.key_ring import KeyRing, retire_after
from accounts.infrastructure.security.key_ring_files import load_ring
from accounts.infrastructure.security.live_key_ring import LiveKeyRing
from accounts.infrastructure.security.signing_key import SigningKey
from chassis import (
    AccessTokenVerifier,
    AttemptCounter,
    CpuWorkPool,
    Network,
    OutboxSession,
    Platform,
    PolledRevocations,
    RecentRevocations,
    ThrottlePolicy,
    build_platform,
    trusted_networks,
)
from contracts import ACCOUNTS_EXCHANGE

logger = logging.getLogger(__name__)


@dataclass
class Container:
    """Everything a request or a consumer needs, built once per process."""

    settings: Settings
    platform: Platform
    uow: Callable[[], UnitOfWork]
    uow_joining: Callable[[AsyncConnection], UnitOfWork]  # inside an idempotent request's
    user_projects: Callable[[AsyncConnection], UserProjects]  # on a consumer's transaction
    hasher: PasswordHasher
    tokens: TokenIssuer
    verifier: AccessTokenVerifier
    signing_keys: LiveKeyRing
    read_model: UserReadModel
    throttle: AttemptThrottle
    trusted_proxies: tuple[Network, ...]

    def uow_in(self, connection: AsyncConnection | None) -> UnitOfWork:
        """Inside ``connection``'s transaction (an idempotent request's), else one of its own."""
        return self.uow() if connection is None else self.uow_joining(connection)

    async def close(self) -> None:
        await self.platform.close()
        if isinstance(self.hasher, BcryptPasswordHasher):
            self.hasher.close()


def bootstrap(
    settings: Settings,
    *,
    hasher: PasswordHasher | None = None,
    uow: Callable[[], UnitOfWork] | None = None,
    read_model: UserReadModel | None = None,
    throttle: AttemptThrottle | None = None,
) -> Container:
    """Build the graph from settings; tests pass fakes for any of the ports they name."""
    start_mappers()
    platform = build_platform(
        settings, exchange=ACCOUNTS_EXCHANGE, tables=messages, idempotency_keys=idempotency_keys
    )
    keys = _signing_keys(settings)
    return Container(
        settings=settings,
        platform=platform,
        uow=uow or (lambda: user_unit_of_work(OutboxSession(platform.sessions, messages.outbox))),
        uow_joining=lambda connection: user_unit_of_work(
            OutboxSession.joining(connection, messages.outbox)
        ),
        user_projects=SqlUserProjects,
        hasher=hasher
        or BcryptPasswordHasher(pool=_hashing_pool(settings), rounds=settings.bcrypt_rounds),
        tokens=JwtTokenIssuer(
            keys.signing_key,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=settings.access_token_ttl_seconds,
        ),
        verifier=AccessTokenVerifier(
            keys,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            revocations=PolledRevocations(
                RecentRevocations(platform.read_pool, users.c.id, users.c.tokens_revoked_before),
                refresh_interval=settings.token_revocation_refresh_seconds,
            ),
        ),
        signing_keys=keys,
        read_model=read_model or PgUserReadModel(platform.read_pool),
        throttle=throttle
        or PgAttemptThrottle(
            AttemptCounter(platform.engine, attempts, throttle_policies(settings))
        ),
        trusted_proxies=trusted_networks(settings.trusted_proxies),
    )


def _hashing_pool(settings: Settings) -> CpuWorkPool:
    """Niced threads for bcrypt: logins' checks are urgent work, other hashes regular work."""
    return CpuWorkPool(
        threads=settings.hashing_threads,
        niceness=settings.hashing_niceness,
        queue=settings.hashing_queue,
        reserved_for_urgent=settings.hashing_reserved_for_logins,
        name="bcrypt",
    )


def throttle_policies(settings: Settings) -> dict[str, ThrottlePolicy]:
    def policy(free: int) -> ThrottlePolicy:
        return ThrottlePolicy(
            free=free,
            base_delay=settings.throttle_base_delay_seconds,
            max_delay=settings.throttle_max_delay_seconds,
            forget_after=settings.throttle_forget_after_seconds,
        )

    free = {
        AttemptKind.FAILED_LOGIN_FOR_ACCOUNT: settings.throttle_failed_logins_per_account,
        AttemptKind.FAILED_LOGIN_FROM_CLIENT: settings.throttle_failed_logins_per_client,
        AttemptKind.REGISTRATION_FROM_CLIENT: settings.throttle_registrations_per_client,
        AttemptKind.EMAIL_CHANGE_FROM_CLIENT: settings.throttle_email_changes_per_client,
    }
    return {kind.value: policy(allowed) for kind, allowed in free.items()}


def _signing_keys(settings: Settings) -> LiveKeyRing:
    """The key ring of SIGNING_KEYS_DIR (reloaded as it changes), else a ring of the one key of
    JWT_PRIVATE_KEY(_FILE), else (dev only) of a throw-away key."""
    keep = retire_after(settings.access_token_ttl_seconds)
    directory = settings.signing_keys_dir
    if directory is not None:
        return LiveKeyRing(
            lambda: load_ring(directory, retire_after=keep),
            reload_interval=settings.signing_keys_reload_seconds,
        )
    pem = settings.private_key_pem
    if pem is not None:
        key = SigningKey.from_pem(pem)
    else:
        logger.warning(
            "No JWT signing key configured (ENVIRONMENT=dev): using a throw-away key; tokens "
            "will not survive a restart. Run 'make dev-keys' and set SIGNING_KEYS_DIR."
        )
        key = SigningKey.generate()
    ring = KeyRing.of_one(key, retire_after=keep)
    return LiveKeyRing(lambda: ring, reload_interval=float("inf"))
