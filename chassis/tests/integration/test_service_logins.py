"""``taskboard-logins`` (ServiceLogin.ensure) against the real servers: idempotent, a database an
earlier run filled as the admin handed over to the role, passwords set again, all dropped after."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import aio_pika
import aiormq
import asyncpg
import pytest

from taskboard_testing import ThrowawayDatabase, ThrowawayLogins, ThrowawayVhost, rabbitmqctl


@pytest.fixture
def database() -> Iterator[ThrowawayDatabase]:
    with ThrowawayDatabase("logins") as created:
        yield created


@pytest.fixture
def vhost() -> Iterator[ThrowawayVhost]:
    with ThrowawayVhost("logins") as created:
        yield created


async def test_a_schema_an_earlier_run_made_as_the_admin_is_handed_to_the_role(
    database: ThrowawayDatabase, vhost: ThrowawayVhost
) -> None:
    admin = await asyncpg.connect(database.url)
    try:
        # What `make run` left before least privilege: the schema and its objects the admin's.
        await admin.execute(
            """
            CREATE SCHEMA accounts;
            CREATE TABLE accounts.users (id serial PRIMARY KEY, email text);
            CREATE SEQUENCE accounts.loose;
            CREATE VIEW accounts.emails AS SELECT email FROM accounts.users;
            CREATE TYPE accounts.mood AS ENUM ('ok');
            CREATE FUNCTION accounts.one() RETURNS int LANGUAGE sql AS 'SELECT 1';
            """
        )
    finally:
        await admin.close()

    with ThrowawayLogins(database.url, vhost.url) as logins:
        role = logins["accounts"].database_user
        own = await asyncpg.connect(logins["accounts"].database_url(database.url))
        try:
            owners = await own.fetch(
                """
                SELECT pg_get_userbyid(relowner) FROM pg_class
                WHERE relnamespace = 'accounts'::regnamespace
                UNION SELECT pg_get_userbyid(proowner) FROM pg_proc
                WHERE pronamespace = 'accounts'::regnamespace
                UNION SELECT pg_get_userbyid(typowner) FROM pg_type
                WHERE typnamespace = 'accounts'::regnamespace
                UNION SELECT pg_get_userbyid(nspowner) FROM pg_namespace
                WHERE nspname = 'accounts'
                """
            )
            assert {row[0] for row in owners} == {role}
            # An owner's rights: what its next migration would do.
            await own.execute("ALTER TABLE accounts.users ADD COLUMN name text")
            await own.execute("INSERT INTO accounts.users (email) VALUES ('a@b.co')")
            assert await own.fetchval("SELECT count(*) FROM accounts.emails") == 1
            await own.execute("DROP FUNCTION accounts.one()")
        finally:
            await own.close()

        theirs = await asyncpg.connect(logins["projects"].database_url(database.url))
        try:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await theirs.fetchval("SELECT count(*) FROM accounts.users")
        finally:
            await theirs.close()


async def test_ensuring_again_keeps_the_rights_and_sets_the_new_password(
    database: ThrowawayDatabase, vhost: ThrowawayVhost
) -> None:
    with ThrowawayLogins(database.url, vhost.url) as logins:
        first = logins["projects"]
        changed = dataclasses.replace(first, broker_password="another-password")
        await changed.ensure(database.url, vhost.url)
        await changed.ensure(database.url, vhost.url)

        connection = await aio_pika.connect(changed.amqp_url(vhost.url))
        await connection.close()
        with pytest.raises(aiormq.exceptions.ProbableAuthenticationError):
            await aio_pika.connect(first.amqp_url(vhost.url))
        listed = rabbitmqctl("list_user_permissions", "--silent", first.broker_user)
        assert listed.count(vhost.name) == 1
        assert "projects\\.events" in listed

        own = await asyncpg.connect(changed.database_url(database.url))
        try:
            assert (
                await own.fetchval(
                    "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'projects'"
                )
                == first.database_user
            )
            assert not await own.fetchval(
                "SELECT rolsuper FROM pg_roles WHERE rolname = $1", first.database_user
            )
        finally:
            await own.close()


async def test_dropping_removes_both_logins(
    database: ThrowawayDatabase, vhost: ThrowawayVhost
) -> None:
    with ThrowawayLogins(database.url, vhost.url) as logins:
        login = logins["accounts"]
    admin = await asyncpg.connect(database.url)
    try:
        assert not await admin.fetchval(
            "SELECT 1 FROM pg_roles WHERE rolname = $1", login.database_user
        )
        assert await admin.fetchval("SELECT to_regnamespace('accounts')") is None
    finally:
        await admin.close()
    users = rabbitmqctl("list_users", "--silent")
    assert login.broker_user not in users
