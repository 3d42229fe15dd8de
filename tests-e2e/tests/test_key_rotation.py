"""accounts' signing key rotated with ``accounts-keys`` while requests flow through the gateway to
two replicas of each service, none restarted: the next key is published and every projects
replica learns it from accounts' JWKS; once activated, new tokens carry its ``kid`` and are
accepted by both services while the old tokens keep working; no request fails on the way. Once
the old key is retired, a token it signs is refused by both services with a 401 problem+json.

Every step waits for what the services answer (polled with a deadline), never for a time."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from taskboard_e2e import TaskboardClient
from taskboard_e2e.stack import LocalStack

from taskboard_testing import ThrowawayDatabase, ThrowawayVhost, eventually

from .conftest import PASSWORD, new_user

BIN = Path(sys.executable).parent
DEADLINE = 60.0  # a bound only: the ring is re-read every 0.2 s, the JWKS refetched every 2 s


@pytest.fixture(scope="module")
def rotating(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with (
        ThrowawayDatabase("keys") as database,
        ThrowawayVhost("keys") as vhost,
        LocalStack(
            database_url=database.url,
            amqp_url=vhost.url,
            workdir=tmp_path_factory.mktemp("keys"),
            replicas=2,
            extra_env={
                "SIGNING_KEYS_RELOAD_SECONDS": "0.2",
                "JWKS_CACHE_SECONDS": "2",
                "JWKS_MIN_REFRESH_SECONDS": "0.5",
            },
        ) as running,
    ):
        yield running


@pytest.fixture
async def api(rotating: LocalStack) -> AsyncIterator[TaskboardClient]:
    async with TaskboardClient(rotating.gateway_url) as client:
        yield client


def accounts_keys(stack: LocalStack, *args: str) -> list[list[str]]:
    """Run ``accounts-keys`` on the stack's ring; its output, one list of words per line."""
    result = subprocess.run(
        [str(BIN / "accounts-keys"), *args, "--dir", str(stack.signing_keys_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return [line.split() for line in result.stdout.splitlines()]


def key_pem(stack: LocalStack, file_name: str) -> bytes:
    return (stack.signing_keys_dir / Path(file_name).name).read_bytes()


def kid_of(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def signed_with(pem: bytes, kid: str, user_id: str) -> str:
    """A fresh token as accounts would issue it, signed by the private key ``pem``."""
    now = datetime.now(UTC)
    claims = {
        "sub": user_id,
        "iss": "taskboard-accounts",
        "aud": "taskboard",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": str(uuid4()),
    }
    key = load_pem_private_key(pem, password=None)
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid})  # type: ignore[arg-type]


async def answers(stack: LocalStack, token: str) -> list[httpx.Response]:
    """What every replica of accounts (GET /api/users/me) and projects (GET /api/projects)
    answers to ``token``, each asked directly."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(headers=headers, timeout=10) as http:
        return [
            await http.get(f"{stack.url(name)}{path}")
            for service, path in (("accounts", "/api/users/me"), ("projects", "/api/projects"))
            for name in stack.replica_names(service)
        ]


def statuses(responses: list[httpx.Response]) -> list[int]:
    return [response.status_code for response in responses]


async def published_kids(stack: LocalStack) -> list[set[str]]:
    async with httpx.AsyncClient(timeout=10) as http:
        documents = [
            (await http.get(f"{stack.url(name)}/.well-known/jwks.json")).json()
            for name in stack.replica_names("accounts")
        ]
    return [{key["kid"] for key in document["keys"]} for document in documents]


class Traffic:
    """Until stopped: log in, and read from both services with that fresh token and with a
    token from before the rotation; every answer counted by (kid, status)."""

    def __init__(self, api: TaskboardClient, email: str, old_token: str) -> None:
        self.api, self.email, self.old_token = api, email, old_token
        self.seen: Counter[tuple[str, int]] = Counter()
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        while not self._stopped.is_set():
            fresh = self.api.as_user("")
            await fresh.login(self.email, PASSWORD)
            for token in (fresh.token or "", self.old_token):
                user = self.api.as_user(token)
                for path in ("/api/users/me", "/api/projects"):
                    response = await user.request("GET", path)
                    self.seen[(kid_of(token), response.status_code)] += 1

    def stop(self) -> None:
        self._stopped.set()


async def test_keys_rotate_while_requests_flow_and_a_retired_key_is_refused(
    rotating: LocalStack, api: TaskboardClient
) -> None:
    stack = rotating
    user, email = await new_user(api, "rotation")
    user_id = str((await user.me())["id"])
    old_token = user.token or ""
    [[old_kid, *_, old_file]] = accounts_keys(stack, "list")
    assert kid_of(old_token) == old_kid
    assert statuses(await answers(stack, old_token)) == [200] * 4

    traffic = Traffic(api, email, old_token)
    flowing = asyncio.create_task(traffic.run())
    try:
        # 1. Publish the next key (signing only in a day, unless activated).
        [[new_kid, _, _, new_file]] = accounts_keys(stack, "next", "--activate-in", "86400")
        await eventually(
            lambda: published_kids(stack),
            until=lambda kids: kids == [{old_kid, new_kid}] * 2,
            timeout=DEADLINE,
            what="both accounts replicas publishing the next key",
        )
        # Every projects replica learns it from the JWKS, without a restart.
        new_key_token = signed_with(key_pem(stack, new_file), new_kid, user_id)
        await eventually(
            lambda: answers(stack, new_key_token),
            until=lambda responses: statuses(responses) == [200] * 4,
            timeout=DEADLINE,
            what="every replica accepting a token of the next key",
        )
        assert kid_of(await api.as_user("").login(email, PASSWORD)) == old_kid  # not signing yet

        # 2. Activate it: every accounts replica signs with it from its next reading of the ring.
        accounts_keys(stack, "activate", Path(new_file).name)  # a kid may start with "-"

        async def kids_of_logins() -> set[str]:
            return {kid_of(await api.as_user("").login(email, PASSWORD)) for _ in range(6)}

        await eventually(
            kids_of_logins,
            until=lambda kids: kids == {new_kid},
            timeout=DEADLINE,
            what="logins through the gateway signed with the new key only",
        )
        new_token = await api.as_user("").login(email, PASSWORD)
        assert kid_of(new_token) == new_kid
        assert statuses(await answers(stack, new_token)) == [200] * 4
        assert statuses(await answers(stack, old_token)) == [200] * 4  # published until retired

        async def seen() -> Counter[tuple[str, int]]:
            return traffic.seen

        await eventually(
            seen,
            until=lambda seen: seen[(new_kid, 200)] > 0,
            timeout=DEADLINE,
            what="the flowing requests reaching the new key",
        )
    finally:
        traffic.stop()
        await flowing

    print(f"\nrequests during the rotation, by (kid, status): {dict(traffic.seen)}")
    failures = {answer: count for answer, count in traffic.seen.items() if answer[1] != 200}
    assert not failures, f"requests failed during the rotation: {failures} of {traffic.seen}"
    assert traffic.seen[(old_kid, 200)] > 0

    # 3. Retire the old key early (as a leaked one would be): whatever it signs is refused,
    # a token minted with it now as well as the old token both services had accepted.
    old_pem = key_pem(stack, old_file)
    accounts_keys(stack, "retire", old_file, "--now")
    assert [line[0] for line in accounts_keys(stack, "list")] == [new_kid]
    await eventually(
        lambda: published_kids(stack),
        until=lambda kids: kids == [{new_kid}] * 2,
        timeout=DEADLINE,
        what="the old key no longer published by either accounts replica",
    )
    # A token minted anew for each poll: none of them can have been verified (and cached)
    # with a key set a replica had fetched before the retirement. Once every replica refuses
    # those, each has the new key set, and the old token it had accepted goes the same way.
    fresh = await eventually(
        lambda: answers(stack, signed_with(old_pem, old_kid, user_id)),
        until=lambda responses: statuses(responses) == [401] * 4,
        timeout=DEADLINE,
        what="every replica of both services refusing a token of the retired key",
    )
    known = await eventually(
        lambda: answers(stack, old_token),
        until=lambda responses: statuses(responses) == [401] * 4,
        timeout=DEADLINE,
        what="every replica of both services refusing the retired key's older token",
    )
    for response in [*fresh, *known]:
        assert response.headers["content-type"].startswith("application/problem+json")
    assert statuses(await answers(stack, new_token)) == [200] * 4
