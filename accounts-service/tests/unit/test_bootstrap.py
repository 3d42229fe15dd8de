"""The composition root builds the real graph around fakes, with no I/O: the wiring is tested."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import jwt

from accounts.application.commands import RegisterUser
from accounts.application.user_handlers import register_user
from accounts.bootstrap import bootstrap
from accounts.config import Settings
from accounts.infrastructure.security.key_ring_files import write_key
from accounts.infrastructure.security.signing_key import SigningKey

from .fakes import FakePasswordHasher, FakeUnitOfWork, FakeUserReadModel


async def test_bootstrap_takes_fakes_for_its_ports_and_a_use_case_runs_through_it() -> None:
    uow = FakeUnitOfWork()
    container = bootstrap(
        # No key file: a throw-away key (the Makefile may name one not written yet).
        Settings(
            environment="dev",
            jwt_private_key_file=None,
            jwt_private_key=None,
            signing_keys_dir=None,
        ),
        hasher=FakePasswordHasher(),
        uow=lambda: uow,
        read_model=FakeUserReadModel(),
    )
    try:
        user = await register_user(
            RegisterUser("ada@example.com", "password1"), container.uow(), container.hasher
        )
        assert uow.users.users[user.id].email == user.email  # stored by the commit
        assert [type(event).__name__ for event in uow.published] == ["UserAccountCreated"]
        # The tokens it issues are the ones its own verifier accepts.
        token = container.tokens.issue(user.id, proven_at=datetime.now(UTC))
        assert await container.verifier.user_id(token.token) == user.id
    finally:
        await container.close()


async def test_with_a_key_ring_tokens_carry_the_active_key_and_the_jwks_lists_the_next_too(
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    active, upcoming = SigningKey.generate(), SigningKey.generate()
    write_key(tmp_path, active, now - timedelta(days=1))
    write_key(tmp_path, upcoming, now + timedelta(days=1))
    container = bootstrap(
        Settings(environment="production", jwt_private_key_file=None, signing_keys_dir=tmp_path),
        hasher=FakePasswordHasher(),
        uow=FakeUnitOfWork,
        read_model=FakeUserReadModel(),
    )
    try:
        user_id = uuid4()
        token = container.tokens.issue(user_id, proven_at=now).token
        assert jwt.get_unverified_header(token)["kid"] == active.kid
        assert await container.verifier.user_id(token) == user_id
        assert [key.kid for key in container.signing_keys.published()] == [
            active.kid,
            upcoming.kid,
        ]
    finally:
        await container.close()
