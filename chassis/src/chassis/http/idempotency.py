"""The ``Idempotency-Key`` request header on a route that creates something.

A route takes the header with ``IdempotencyKey`` and answers through ``idempotent(...)``, giving
it a function that runs the use case on the transaction's connection (with a key) or on its own
(without one) and builds the response."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Header, Request, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from chassis.http.problems import ProblemError
from chassis.persistence.idempotency_keys import (
    KEY_LENGTH,
    IdempotencyStore,
    KeyInUseError,
    KeyReusedError,
    StoredResponse,
)

IDEMPOTENCY_KEY = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEPT = ("location", "content-type")

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_KEY,
        min_length=1,
        max_length=KEY_LENGTH,
        description=(
            "Makes a retry of this request safe (IETF httpapi draft 'The Idempotency-Key HTTP "
            "Header Field'). A unique value per request, e.g. a UUID. A repeat with the same key "
            "and the same body gets the first response again (status, body, `Location`, with "
            "`Idempotent-Replayed: true`) without a second effect, for at least 24 hours; the "
            "same key with a different body answers 422; a repeat while the first request is "
            "still running answers 409. Only successful responses are kept: a failed request "
            "may be retried with the same key."
        ),
    ),
]

Respond = Callable[[AsyncConnection | None], Awaitable[Response]]
ReplayCheck = Callable[[StoredResponse], Awaitable[bool]]


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


async def idempotent(
    request: Request,
    *,
    key: str | None,
    caller: str,
    store: IdempotencyStore | None,
    respond: Respond,
    fingerprint_of: bytes | None = None,
    replay_check: ReplayCheck | None = None,
) -> Response:
    """Answer with ``respond(connection)`` once per ``key`` and ``caller``; the response of the
    first request again for a repeat. Without a key (or a store: the service keeps no keys),
    ``respond(None)`` runs as usual.

    The fingerprint that tells a repeat from another request with the same key is a fast hash,
    stored: of the body, or of ``fingerprint_of`` instead when the body holds a secret (pass
    the body without it). ``replay_check`` then decides about the secret: it is asked before a
    stored response is sent again, outside the key's transaction, and False answers 422 as for
    another request with the same key."""
    if key is None or store is None:
        return await respond(None)

    async def effect(connection: AsyncConnection) -> StoredResponse:
        response = await respond(connection)
        kept = {name: response.headers[name] for name in KEPT if name in response.headers}
        return StoredResponse(response.status_code, kept, bytes(response.body))

    try:
        stored, replayed = await store.run_once(
            caller=caller,
            key=key,
            fingerprint=fingerprint(
                request.method,
                request.url.path,
                await request.body() if fingerprint_of is None else fingerprint_of,
            ),
            effect=effect,
        )
        if replayed and replay_check is not None and not await replay_check(stored):
            raise KeyReusedError(key)
    except KeyInUseError as error:
        raise ProblemError(
            409,
            "A request with this Idempotency-Key is still being processed; retry later.",
            slug="idempotency-key-in-use",
        ) from error
    except KeyReusedError as error:
        raise ProblemError(
            422,
            "This Idempotency-Key was used for a different request.",
            slug="idempotency-key-reused",
        ) from error
    response = Response(stored.body, status_code=stored.status_code, headers=dict(stored.headers))
    if replayed:
        response.headers[REPLAYED] = "true"
    return response
