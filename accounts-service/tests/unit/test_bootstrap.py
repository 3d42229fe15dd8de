"""The composition root builds the real graph around fakes, with no I/O: the wiring is tested."""

from accounts.application.commands import RegisterUser
from accounts.application.user_handlers import register_user
from accounts.bootstrap import bootstrap
from accounts.config import Settings

from .fakes import FakePasswordHasher, FakeUnitOfWork, FakeUserReadModel


async def test_bootstrap_takes_fakes_for_its_ports_and_a_use_case_runs_through_it() -> None:
    uow = FakeUnitOfWork()
    container = bootstrap(
        # No key file: a throw-away key (the Makefile may name one not written yet).
        Settings(environment="dev", jwt_private_key_file=None, jwt_private_key=None),
        hasher=FakePasswordHasher(),
        uow=lambda: uow,
        read_model=FakeUserReadModel(),
    )
    try:
        user = await register_user(
            RegisterUser("ada@example.com", "password1"), container.uow(), container.hasher
        )
        assert uow.users.users == {user.id: user}
        assert [type(event).__name__ for event in uow.published] == ["UserAccountCreated"]
        # The tokens it issues are the ones its own verifier accepts.
        token = container.tokens.issue(user.id)
        assert await container.verifier.user_id(token.token) == user.id
    finally:
        await container.close()
