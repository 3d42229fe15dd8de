"""The id of the request (or message) being handled, carried into the events it causes."""

from contextvars import ContextVar
from uuid import uuid4

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def current_correlation_id() -> str:
    """The current correlation id, or a fresh one for work no request started."""
    return correlation_id.get() or str(uuid4())
