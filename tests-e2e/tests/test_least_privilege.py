"""Each service of the running stack connects as its own PostgreSQL role and RabbitMQ user, and
those can do what the service needs and nothing of the other service's.

The stack (conftest) made them (``ThrowawayLogins``), migrated and declared each service's
topology as them and runs the services as them; here the test logs in as each in turn."""

from __future__ import annotations

import subprocess

import aio_pika
import aiormq
import asyncpg
import pytest
from taskboard_e2e.stack import BIN, REPO, LocalStack

from contracts import CONSUMER_QUEUES

SERVICES = ("accounts", "projects")
TABLES = {"accounts": ("users", "user_projects"), "projects": ("projects", "tasks")}
INSUFFICIENT_PRIVILEGE = "42501"


def other(service: str) -> str:
    return SERVICES[1 - SERVICES.index(service)]


def dead_letter_queues(service: str) -> list[str]:
    return [q.dead_letter_queue for q in CONSUMER_QUEUES if q.name.startswith(service + ".")]


def assert_refused(error: aiormq.exceptions.ChannelAccessRefused, what: str) -> None:
    """The broker closed the channel with 403 ACCESS_REFUSED (aiormq raises this class for
    reply code 403 only) about ``what``."""
    text = str(error.args[0])
    assert text.startswith("ACCESS_REFUSED"), text
    assert what in text, text


@pytest.fixture
def local(stack: LocalStack | None) -> LocalStack:
    if stack is None:
        pytest.skip("the logins are those of a stack started here (GATEWAY_URL is set)")
    return stack


async def connect_as(stack: LocalStack, service: str) -> asyncpg.Connection:
    return await asyncpg.connect(stack.service_env(service)["DATABASE_URL"])


@pytest.mark.parametrize("service", SERVICES)
async def test_a_services_role_owns_its_tables_and_reads_them(
    local: LocalStack, service: str
) -> None:
    role = local.service_env(service)["DATABASE_URL"].split("//")[1].split(":")[0]
    connection = await connect_as(local, service)
    try:
        owners = await connection.fetch(
            "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = $1", service
        )
        # Its migrations ran as the role: everything they made belongs to it.
        assert {r["tablename"] for r in owners} >= {"alembic_version", *TABLES[service]}
        assert {r["tableowner"] for r in owners} == {role}
        for table in TABLES[service]:
            await connection.fetchval(f"SELECT count(*) FROM {service}.{table}")  # noqa: S608
    finally:
        await connection.close()


@pytest.mark.parametrize("service", SERVICES)
async def test_a_services_role_cannot_touch_the_other_services_tables(
    local: LocalStack, service: str
) -> None:
    theirs = other(service)
    connection = await connect_as(local, service)
    try:
        for statement in (
            *(f"SELECT count(*) FROM {theirs}.{table}" for table in TABLES[theirs]),  # noqa: S608
            f"DELETE FROM {theirs}.{TABLES[theirs][0]}",  # noqa: S608
            f"CREATE TABLE {theirs}.intruder (id int)",
            "CREATE TABLE public.intruder (id int)",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError) as refused:
                await connection.execute(statement)
            assert refused.value.sqlstate == INSUFFICIENT_PRIVILEGE, statement
    finally:
        await connection.close()


@pytest.mark.parametrize("service", SERVICES)
def test_a_services_broker_user_declares_its_topology_again(
    local: LocalStack, service: str
) -> None:
    result = subprocess.run(
        [str(BIN / f"{service}-worker"), "--declare-topology"],
        cwd=REPO,
        env={**local.env(), **local.service_env(service)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


async def publish_confirmed(stack: LocalStack, service: str, exchange: str) -> None:
    connection = await aio_pika.connect(stack.service_env(service)["AMQP_URL"])
    try:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange, ensure=False)
        # A routing key nothing is bound to: the stack's consumers never see it.
        message = aio_pika.Message(b"{}", message_id="least-privilege-probe")
        await target.publish(message, routing_key="test.least_privilege.v1", timeout=30)
    finally:
        await connection.close()


@pytest.mark.parametrize("service", SERVICES)
async def test_a_services_broker_user_publishes_to_its_own_exchange_only(
    local: LocalStack, service: str
) -> None:
    await publish_confirmed(local, service, f"{service}.events")

    theirs = f"{other(service)}.events"
    with pytest.raises(aiormq.exceptions.ChannelAccessRefused) as refused:
        await publish_confirmed(local, service, theirs)
    assert_refused(refused.value, f"exchange '{theirs}'")


async def _give_back(message: aio_pika.abc.AbstractIncomingMessage) -> None:
    await message.nack(requeue=True)


async def consume_briefly(stack: LocalStack, service: str, queue_name: str) -> None:
    connection = await aio_pika.connect(stack.service_env(service)["AMQP_URL"])
    try:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name, ensure=False)
        tag = await queue.consume(_give_back)
        await queue.cancel(tag)
    finally:
        await connection.close()


@pytest.mark.parametrize("service", SERVICES)
async def test_a_services_broker_user_consumes_its_own_queues_only(
    local: LocalStack, service: str
) -> None:
    # The dead-letter queues are empty in a healthy run, so consuming one takes nothing away
    # from the stack's own consumers.
    mine = dead_letter_queues(service)
    theirs = dead_letter_queues(other(service))
    assert mine
    assert theirs
    for name in mine:
        await consume_briefly(local, service, name)
    for name in theirs:
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused) as refused:
            await consume_briefly(local, service, name)
        assert_refused(refused.value, f"queue '{name}'")
