"""``idempotent`` on a route whose body holds a secret, on the real database: the route passes
the body without the secret as what is fingerprinted, and a replay check for the secret."""

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Table, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chassis import IdempotencyStore, StoredResponse
from chassis.http.idempotency import IdempotencyKey, fingerprint, idempotent
from chassis.http.problems import install_problem_handlers


def an_app(store: IdempotencyStore, made: list[dict[str, str]]) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app, {})

    @app.post("/things", status_code=201)
    async def create(request: Request, key: IdempotencyKey = None) -> Response:
        body = await request.json()

        async def respond(connection: AsyncConnection | None) -> Response:
            made.append(body)
            return JSONResponse({"number": len(made)}, status_code=201)

        async def same_secret(first: StoredResponse) -> bool:
            return made[json.loads(first.body)["number"] - 1]["secret"] == body["secret"]

        public = {name: value for name, value in body.items() if name != "secret"}
        return await idempotent(
            request,
            key=key,
            caller="someone",
            store=store,
            respond=respond,
            fingerprint_of=json.dumps(public, sort_keys=True).encode(),
            replay_check=same_secret,
        )

    return app


@pytest.fixture
async def keyed(
    engine: AsyncEngine, idempotency_table: Table
) -> AsyncIterator[tuple[httpx.AsyncClient, list[dict[str, str]]]]:
    made: list[dict[str, str]] = []
    app = an_app(IdempotencyStore(engine, idempotency_table, ttl=timedelta(hours=24)), made)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://chassis") as client:
        yield client, made
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {idempotency_table.fullname}"))


async def test_a_replay_passes_the_check_and_a_failed_check_is_a_422(
    keyed: tuple[httpx.AsyncClient, list[dict[str, str]]],
    engine: AsyncEngine,
    idempotency_table: Table,
) -> None:
    client, made = keyed
    headers = {"Idempotency-Key": "k-1"}
    body = {"name": "thing", "secret": "s3cret"}

    first = await client.post("/things", json=body, headers=headers)
    again = await client.post("/things", json=body, headers=headers)
    wrong = await client.post("/things", json={**body, "secret": "other"}, headers=headers)
    renamed = await client.post("/things", json={**body, "name": "other"}, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    for refused in (wrong, renamed):
        assert refused.status_code == 422
        assert refused.json()["type"] == "urn:taskboard:problem:idempotency-key-reused"
    assert len(made) == 1

    async with engine.connect() as connection:
        stored = (
            await connection.execute(
                select(idempotency_table.c.fingerprint).where(
                    idempotency_table.c.caller == "someone"
                )
            )
        ).scalar_one()
    assert stored == fingerprint("POST", "/things", b'{"name": "thing"}')
