"""A POST that creates something: 201 with the new thing as JSON (and its ``Location``), a JSON
body or 415, and safe to retry with an ``Idempotency-Key`` (see ``idempotency``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from chassis.http.idempotency import IdempotencyKey, ReplayCheck, idempotent
from chassis.http.media_types import json_body
from chassis.persistence.idempotency_keys import IdempotencyStore

F = TypeVar("F", bound=Callable[..., Any])

Created = tuple[BaseModel, str | None]
"""What a creation answers: the new thing as the response body, and where it lives (or None)."""


def post_creating(
    router: APIRouter,
    path: str,
    *,
    response_model: type[BaseModel],
    responses: dict[int | str, dict[str, Any]],
) -> Callable[[F], F]:
    """``router.post`` for a route that creates: 201, ``response_model``, a JSON body."""
    return router.post(
        path,
        status_code=201,
        response_model=response_model,
        dependencies=[Depends(json_body)],
        responses=responses,
    )


class CreatingRequest:
    """The request of a creating route, with its ``Idempotency-Key`` (if any) and the service's
    store of keys: ``await once(caller=..., create=...)`` answers what ``create`` made, once
    per key and caller."""

    def __init__(self, request: Request, key: str | None, store: IdempotencyStore | None) -> None:
        self.request = request
        self.key = key
        self._store = store

    async def __call__(
        self,
        *,
        caller: str,
        create: Callable[[AsyncConnection | None], Awaitable[Created]],
        fingerprint_of: bytes | None = None,
        replay_check: ReplayCheck | None = None,
    ) -> Response:
        """``create(connection)`` runs the use case inside ``connection``'s transaction (the one
        that stores the key) or, with no key, on its own (``None``); it must use no other
        connection and do no slow work (see ``IdempotencyStore.run_once``): do those before
        calling this. ``fingerprint_of`` and ``replay_check`` are ``idempotent``'s, for a body
        that holds a secret."""

        async def respond(connection: AsyncConnection | None) -> Response:
            body, location = await create(connection)
            return JSONResponse(
                body.model_dump(mode="json"),
                status_code=201,
                headers=None if location is None else {"Location": location},
            )

        return await idempotent(
            self.request,
            key=self.key,
            caller=caller,
            store=self._store,
            respond=respond,
            fingerprint_of=fingerprint_of,
            replay_check=replay_check,
        )


async def _creating_request(request: Request, key: IdempotencyKey = None) -> CreatingRequest:
    return CreatingRequest(request, key, request.app.state.platform.idempotency)


CreateOnce = Annotated[CreatingRequest, Depends(_creating_request)]
"""The parameter of a creating route that answers it (``once: CreateOnce``)."""
