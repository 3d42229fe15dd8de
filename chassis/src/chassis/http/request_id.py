"""Every request gets an X-Request-ID (the caller's if it sent a sane one), echoed back, used as
the correlation id of the events it causes, and written in the request's one access line."""

import logging
import re
import time
from uuid import uuid4

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chassis.correlation import correlation_id
from chassis.telemetry import log_context

HEADER = b"x-request-id"
_ACCEPTABLE = re.compile(rb"^[A-Za-z0-9._:-]{1,100}$")
access_log = logging.getLogger("chassis.access")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER, b"")
        request_id = given if _ACCEPTABLE.match(given) else str(uuid4()).encode()
        started = time.perf_counter()
        status = 500  # unless a response starts

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (HEADER, request_id)]
            await send(message)

        text = request_id.decode()
        token = correlation_id.set(text)
        log_token = log_context.request_id.set(text)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # Still inside the request's context: the line carries its request and trace ids.
            access_log.info(
                '"%s %s" %d %.1fms request_id=%s',
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
                text,
            )
            log_context.request_id.reset(log_token)
            correlation_id.reset(token)
