"""Every request gets an X-Request-ID: the caller's if it sent a sane one, else a new uuid4."""

import re
from uuid import uuid4

from aiohttp import web

HEADER = "X-Request-ID"
REQUEST_ID = web.RequestKey("request_id", str)
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:-]{1,100}")


def resolve(given: str | None) -> str:
    if given is not None and _ACCEPTABLE.fullmatch(given):
        return given
    return str(uuid4())
