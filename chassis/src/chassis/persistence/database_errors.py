"""Which errors mean the database cannot be reached right now: an answer of 503, not a bug."""

import asyncpg.exceptions as pg
from sqlalchemy import exc

# What asyncpg, the socket under it, and SQLAlchemy's pool raise while PostgreSQL is down,
# restarting, refusing connections or too slow to hand one out.
_UNREACHABLE: tuple[type[Exception], ...] = (
    OSError,  # refused, reset, unresolvable, timed out
    pg.PostgresConnectionError,
    pg.CannotConnectNowError,
    pg.AdminShutdownError,
    pg.TooManyConnectionsError,
    exc.TimeoutError,  # no pooled connection within the pool's timeout
)

# Where to look: these, and SQLAlchemy's wrapper of any driver error.
DATABASE_ERRORS: tuple[type[Exception], ...] = (*_UNREACHABLE, exc.DBAPIError)


def database_unavailable(error: BaseException) -> bool:
    """True when ``error``, or an error it was raised from, says the database is unreachable.
    SQLAlchemy wraps the driver's error (``orig``, ``__cause__``), so that chain is walked."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _UNREACHABLE):
            return True
        if isinstance(current, exc.DBAPIError) and current.connection_invalidated:
            return True
        orig = getattr(current, "orig", None)
        # Only what it was raised from: an error merely raised while another was being
        # handled (``__context__``) says nothing about this one.
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return False
