"""ServiceRuntime: the HTTP app and the worker build a service's container the same way, with
its consumers attached unless RUN_CONSUMERS is off; a worker finds it by its import path."""

from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncConnection

from chassis import Consumer, ServiceRuntime, service_app_factory
from contracts import ConsumerQueueNames, Envelope, UserAccountCreated
from tests.stand_in_service import Container, StandInSettings, bootstrap

QUEUE = ConsumerQueueNames("chassis_test.runtime", events=(UserAccountCreated,))


class RuntimeSettings(StandInSettings):
    service_name: str = "runtime-test"


applied: list[tuple[Container, Any]] = []


async def apply(container: Container, envelope: Envelope[Any], connection: AsyncConnection) -> None:
    applied.append((container, envelope))


RUNTIME = ServiceRuntime(
    RuntimeSettings,
    bootstrap,
    (Consumer(name="runtime-test.consumer", queue=QUEUE, apply=apply, description="test"),),
)


@pytest.mark.parametrize(("run_consumers", "attached"), [(True, 1), (False, 0)])
async def test_the_container_has_its_consumers_unless_they_are_turned_off(
    run_consumers: bool, attached: int
) -> None:
    container = RUNTIME.container(RuntimeSettings(run_consumers=run_consumers))
    try:
        assert len(container.platform.messaging.consumers) == attached
    finally:
        await container.close()


async def test_a_consumer_applies_a_message_with_the_container() -> None:
    container = RUNTIME.container()
    try:
        handle = RUNTIME.consumers[0].handler(container)
        await handle("envelope", None)  # type: ignore[arg-type]
        assert applied[-1] == (container, "envelope")
    finally:
        await container.close()


def test_a_runtime_is_found_by_its_import_path_and_named_after_its_service() -> None:
    assert ServiceRuntime.named(f"{__name__}:RUNTIME") is RUNTIME
    assert RUNTIME.name == "runtime-test"
    with pytest.raises(TypeError, match="no ServiceRuntime"):
        ServiceRuntime.named(f"{__name__}:QUEUE")


async def test_the_app_factory_titles_the_app_after_the_service_and_serves_its_routers() -> None:
    router = APIRouter()

    @router.get("/api/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    create_app = service_app_factory(RUNTIME, description="A test.", routers=[router], errors={})
    container = RUNTIME.container()
    app = create_app(container=container)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
        ):
            assert (await c.get("/api/hello")).json() == {"hello": "world"}
        assert (app.title, app.description) == ("Taskboard runtime-test", "A test.")
    finally:
        await container.close()
