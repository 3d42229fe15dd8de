"""What a log line says about the work under way: the request or the message being handled.
Set by the chassis's request and consumer code; read by the JSON log format."""

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
message_id: ContextVar[str | None] = ContextVar("message_id", default=None)
event_type: ContextVar[str | None] = ContextVar("event_type", default=None)
