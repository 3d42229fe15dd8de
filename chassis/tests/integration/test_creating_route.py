"""A creating route (``post_creating`` + ``CreateOnce``) over real HTTP handling and the real
key store: 201 with the body and ``Location``; a retry with the same key gets the first answer
without a second effect; without a key each request creates."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import count
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chassis import (
    Created,
    CreateOnce,
    IdempotencyStore,
    post_creating,
    problem_responses,
    service_app,
)


class ThingIn(BaseModel):
    name: str


class ThingOut(BaseModel):
    number: int
    name: str


numbers = count(1)
made: list[tuple[int, bool]] = []  # (number, made inside the key's transaction)
router = APIRouter(prefix="/api/things")


@post_creating(router, "", response_model=ThingOut, responses=problem_responses(415))
async def make(body: ThingIn, once: CreateOnce) -> Response:
    async def created(connection: AsyncConnection | None) -> Created:
        number = next(numbers)
        made.append((number, connection is not None))
        return ThingOut(number=number, name=body.name), f"/api/things/{number}"

    return await once(caller="someone", create=created)


@dataclass
class StandInPlatform:
    idempotency: IdempotencyStore


@dataclass
class StandInContainer:
    platform: Any

    async def close(self) -> None:
        pass


@pytest.fixture
async def client(
    engine: AsyncEngine, idempotency_table: Table, outbox: Table
) -> AsyncIterator[httpx.AsyncClient]:
    store = IdempotencyStore(engine, idempotency_table, ttl=timedelta(hours=1))
    container = StandInContainer(StandInPlatform(store))
    app = service_app(
        title="t",
        description="t",
        routers=[router],
        errors={},
        build=lambda: container,
        container=container,
    )
    made.clear()
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
    ):
        yield c
    async with engine.begin() as connection:  # the idempotency store's tests start empty
        await connection.execute(idempotency_table.delete())


async def test_a_creation_answers_201_with_the_body_and_its_location(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/api/things", json={"name": "a"})

    assert response.status_code == 201
    number = response.json()["number"]
    assert response.json() == {"number": number, "name": "a"}
    assert response.headers["location"] == f"/api/things/{number}"
    assert made == [(number, False)]


async def test_a_retry_with_the_same_key_gets_the_first_answer_without_a_second_effect(
    client: httpx.AsyncClient,
) -> None:
    headers = {"Idempotency-Key": "key-1"}
    first = await client.post("/api/things", json={"name": "b"}, headers=headers)
    again = await client.post("/api/things", json={"name": "b"}, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert made == [(first.json()["number"], True)]


async def test_a_body_that_is_not_json_is_refused_before_anything_is_made(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/api/things", content=b"name=c")

    assert response.status_code == 415
    assert made == []
