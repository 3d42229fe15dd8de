from datetime import UTC, datetime
from uuid import uuid4

import pytest

from accounts.application.commands import Authenticate, ChangeUserEmailAddress, RegisterUser
from accounts.application.ports import UserProjectView, UserView
from accounts.application.queries import GetUser
from accounts.application.query_handlers import get_user
from accounts.application.user_handlers import (
    authenticate,
    change_user_email_address,
    prepare_registration,
    register_user,
    store_registration,
)
from accounts.domain.email_address import EmailAddress
from accounts.domain.errors import (
    EmailAddressAlreadyTakenError,
    InvalidCredentialsError,
    InvalidEmailAddressError,
    InvalidPasswordError,
    UserNotFoundError,
)
from accounts.domain.events import UserAccountCreated, UserEmailChanged
from accounts.domain.user import User

from .fakes import FakePasswordHasher, FakeTokenIssuer, FakeUnitOfWork, FakeUserReadModel


def a_user(email: str = "ada@example.com", secret: str = "password1") -> User:
    user = User.register(email=EmailAddress(email), password_hash="hashed:" + secret)
    user.events.clear()
    return user


async def test_register_user_stores_hashed_password_and_commits_the_event() -> None:
    uow = FakeUnitOfWork()

    user = await register_user(
        RegisterUser(email="Ada@Example.com", password="password1"), uow, FakePasswordHasher()
    )

    assert uow.users.users[user.id].password_hash == "hashed:password1"
    assert user.email.value == "Ada@example.com"
    assert uow.committed == 1
    assert [type(e) for e in uow.published] == [UserAccountCreated]


async def test_register_user_refuses_an_address_taken_in_another_case() -> None:
    uow = FakeUnitOfWork([a_user("ada@example.com")])

    with pytest.raises(EmailAddressAlreadyTakenError):
        await register_user(
            RegisterUser(email="ADA@example.com", password="password1"), uow, FakePasswordHasher()
        )
    assert uow.committed == 0


async def test_a_prepared_registration_is_hashed_but_stored_only_by_its_second_step() -> None:
    """The slow step (hashing) writes nothing, so it can run before an idempotent request's
    transaction; the second step re-checks the address, which may have been taken since."""
    uow = FakeUnitOfWork()
    prepared = await prepare_registration(
        RegisterUser(email="ada@example.com", password="password1"), uow, FakePasswordHasher()
    )
    assert prepared.password_hash == "hashed:password1"
    assert uow.committed == 0

    twin = a_user("ADA@example.com")  # a twin registration committed first
    uow.users.users[twin.id] = twin
    with pytest.raises(EmailAddressAlreadyTakenError):
        await store_registration(prepared, uow)
    assert uow.committed == 0


@pytest.mark.parametrize(
    ("email", "password", "error"),
    [
        ("not-an-email", "password1", InvalidEmailAddressError),
        ("ada@example.com", "short", InvalidPasswordError),
        ("ada@example.com", "x" * 73, InvalidPasswordError),
    ],
)
async def test_register_user_refuses_bad_input_before_touching_storage(
    email: str, password: str, error: type[Exception]
) -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(error):
        await register_user(RegisterUser(email=email, password=password), uow, FakePasswordHasher())
    assert uow.users.users == {}


async def test_change_email_commits_the_change_and_its_event() -> None:
    user = a_user()
    uow = FakeUnitOfWork([user])

    await change_user_email_address(ChangeUserEmailAddress(user.id, "ada@lovelace.org"), uow)

    assert uow.users.users[user.id].email.value == "ada@lovelace.org"
    assert [type(e) for e in uow.published] == [UserEmailChanged]


async def test_change_email_to_another_users_address_is_refused() -> None:
    ada, bob = a_user("ada@example.com"), a_user("bob@example.com")
    uow = FakeUnitOfWork([ada, bob])

    with pytest.raises(EmailAddressAlreadyTakenError):
        await change_user_email_address(ChangeUserEmailAddress(ada.id, "BOB@example.com"), uow)
    assert uow.users.users[ada.id].email.value == "ada@example.com"
    assert uow.committed == 0


async def test_change_email_to_own_address_in_other_case_is_allowed() -> None:
    ada = a_user("ada@example.com")
    uow = FakeUnitOfWork([ada])

    await change_user_email_address(ChangeUserEmailAddress(ada.id, "Ada@example.com"), uow)

    assert uow.users.users[ada.id].email.value == "Ada@example.com"


async def test_change_email_of_unknown_user_is_not_found() -> None:
    with pytest.raises(UserNotFoundError):
        await change_user_email_address(
            ChangeUserEmailAddress(uuid4(), "ada@example.com"), FakeUnitOfWork()
        )


async def test_authenticate_returns_a_token_for_the_right_password() -> None:
    user = a_user()
    token = await authenticate(
        Authenticate("ADA@example.com", "password1"),
        FakeUnitOfWork([user]),
        FakePasswordHasher(),
        FakeTokenIssuer(),
    )
    assert token.token == f"token-for-{user.id}"


async def test_a_token_rests_on_the_instant_its_password_was_read() -> None:
    # A password change (or logout) that commits while the old password is being checked
    # ends every token issued until its instant: this one must be among them.
    user, tokens = a_user(), FakeTokenIssuer()
    uow = FakeUnitOfWork([user])

    class ChangedMeanwhile(FakePasswordHasher):
        async def verify(self, secret: str, password_hash: str | None) -> bool:
            uow.users.users[user.id].end_sessions(datetime.now(UTC))
            return await super().verify(secret, password_hash)

    await authenticate(
        Authenticate("ada@example.com", "password1"), uow, ChangedMeanwhile(), tokens
    )

    [proven_at] = tokens.proven_at
    revoked_before = uow.users.users[user.id].tokens_revoked_before
    assert revoked_before is not None
    assert proven_at <= revoked_before  # refused: issued at or before the change


@pytest.mark.parametrize(
    ("email", "password"),
    [("ada@example.com", "wrong-password"), ("nobody@example.com", "password1"), ("junk", "x")],
)
async def test_authenticate_gives_one_error_and_always_spends_a_hash_check(
    email: str, password: str
) -> None:
    hasher = FakePasswordHasher()
    with pytest.raises(InvalidCredentialsError, match="Incorrect email or password"):
        await authenticate(
            Authenticate(email, password), FakeUnitOfWork([a_user()]), hasher, FakeTokenIssuer()
        )
    assert hasher.verifications == 1


async def test_get_user_returns_the_view_or_not_found() -> None:
    view = UserView(id=uuid4(), email="a@b.co", projects=[UserProjectView(uuid4(), "Work")])
    assert await get_user(GetUser(view.id), FakeUserReadModel([view])) == view
    with pytest.raises(UserNotFoundError):
        await get_user(GetUser(uuid4()), FakeUserReadModel([view]))


async def test_a_change_without_a_commit_is_not_stored() -> None:
    """The fake keeps what was committed only, so a use case that forgets its commit fails
    the tests above instead of passing them."""
    user = a_user()
    uow = FakeUnitOfWork([user])

    async with uow:
        loaded = await uow.users.get(user.id)
        assert loaded is not None
        loaded.change_email(EmailAddress("ada@lovelace.org"))  # and no commit

    assert uow.users.users[user.id].email.value == "ada@example.com"
    async with uow:
        again = await uow.users.get(user.id)
        assert again is not None
        assert again.email.value == "ada@example.com"
