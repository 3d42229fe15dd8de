"""The table of idempotency keys a service keeps in its own schema, and the store that runs a
request once per key: the key's row is written in the same transaction as the request's effect.

Semantics of the IETF httpapi draft "The Idempotency-Key HTTP Header Field": the first request
with a key runs; a later one with the same key, caller and fingerprint (method, path, body) gets
the first response again; the same key with another fingerprint is refused; a request that
comes while the first still runs is refused as a conflict. Only a successful (2xx) response is
kept: a failed request changed nothing, so running it again is the right answer to a retry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB, Insert, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

KEY_LENGTH = 255
CALLER_LENGTH = 200


def idempotency_keys(metadata: MetaData) -> Table:
    """Declare ``idempotency_keys`` on ``metadata`` (whose schema names the service)."""
    if not metadata.schema:
        raise ValueError("The idempotency keys live in the service's own schema: set one.")
    table = Table(
        "idempotency_keys",
        metadata,
        # Whose key space: never '' (see ``unkept``)
        Column("caller", String(CALLER_LENGTH), nullable=False),
        Column("key", String(KEY_LENGTH), nullable=False),
        # SHA-256 of method, path and body (or what the route gives instead of a body that
        # holds a secret: a fast hash of a password would be a gift to whoever reads the table)
        Column("fingerprint", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("body", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("caller", "key", name="pk_idempotency_keys"),
    )
    Index("ix_idempotency_keys_expires_at", table.c.expires_at)
    return table


def unkept(table: Table) -> ColumnElement[bool]:
    """The rows retention deletes: expired ones, and any without a caller. No key is kept
    unscoped (two clients would meet in one key space), so such a row was written by an older
    version, maybe still running during a rolling upgrade, and may hold what was not to be
    kept (a fast hash of a body with a secret in it)."""
    return or_(table.c.expires_at < func.now(), table.c.caller == "")


class KeyInUseError(Exception):
    """A request with this key is still running."""


class KeyReusedError(Exception):
    """The key was used before for a different request."""


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def successful(self) -> bool:
        return 200 <= self.status_code < 300


Effect = Callable[[AsyncConnection], Awaitable[StoredResponse]]


class IdempotencyStore:
    """Runs an effect at most once per (caller, key) while the key lives (``ttl``)."""

    def __init__(self, engine: AsyncEngine, table: Table, *, ttl: timedelta) -> None:
        self._engine = engine
        self.table = table
        self.ttl = ttl

    async def run_once(
        self, *, caller: str, key: str, fingerprint: str, effect: Effect
    ) -> tuple[StoredResponse, bool]:
        """The response to the request and whether it is a replay of the first one.

        ``effect`` runs inside the transaction that then stores its response, on the
        connection it is given: its changes and the key commit together or not at all. A
        transaction-scoped advisory lock on the key tells a concurrent duplicate apart.

        That connection is the pool's for the effect's whole length, so the effect uses it
        alone and does nothing slow: whatever waits for another connection of the same pool
        (with every connection held so, none would come) or for the CPU runs before
        ``run_once``, and the effect only stores its result."""
        if not caller:
            raise ValueError("Scope every key to a caller: an unscoped one is not kept.")
        table = self.table
        async with self._engine.connect() as connection, connection.begin():
            lock = f"{table.fullname}:{caller}:{key}"
            if not await connection.scalar(
                select(func.pg_try_advisory_xact_lock(func.hashtextextended(lock, 0)))
            ):
                raise KeyInUseError(key)
            row = (
                await connection.execute(
                    select(table.c.fingerprint, table.c.status_code, table.c.headers, table.c.body)
                    .where(table.c.caller == caller, table.c.key == key)
                    .where(table.c.expires_at > func.now())
                )
            ).first()
            if row is not None:
                if row.fingerprint != fingerprint:
                    raise KeyReusedError(key)
                return StoredResponse(row.status_code, dict(row.headers), bytes(row.body)), True
            response = await effect(connection)
            if response.successful:
                await connection.execute(self._store(caller, key, fingerprint, response))
            return response, False

    def _store(self, caller: str, key: str, fingerprint: str, response: StoredResponse) -> Insert:
        values = {
            "fingerprint": fingerprint,
            "status_code": response.status_code,
            "headers": dict(response.headers),
            "body": response.body,
            "created_at": func.now(),
            "expires_at": func.now() + self.ttl,
        }
        statement = insert(self.table).values(caller=caller, key=key, **values)
        # An expired row of the same key (not pruned yet) is replaced.
        return statement.on_conflict_do_update(
            constraint="pk_idempotency_keys",
            set_=values,
            where=and_(self.table.c.expires_at <= func.now()),
        )
