"""A started span made current for a block and ended with it, as ``trace.use_span(span,
end_on_exit=True)`` does (an exception is recorded and sets the span's status), without its
generator-based context managers: this runs on every traced request and statement."""

from __future__ import annotations

from types import TracebackType

from opentelemetry import context, trace
from opentelemetry.trace import Span, Status, StatusCode


class CurrentSpan:
    """``with CurrentSpan(tracer.start_span(...)) as span:``"""

    __slots__ = ("_span", "_token")

    def __init__(self, span: Span) -> None:
        self._span = span

    def __enter__(self) -> Span:
        self._token = context.attach(trace.set_span_in_context(self._span))
        return self._span

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        context.detach(self._token)
        if isinstance(error, Exception) and self._span.is_recording():
            self._span.record_exception(error)
            self._span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
        self._span.end()
