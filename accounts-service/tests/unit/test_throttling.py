from uuid import UUID, uuid4

import pytest

from accounts.application.commands import (
    Authenticate,
    ChangeUserEmailAddress,
    ConfirmRegistration,
    RegisterUser,
)
from accounts.application.ports import (
    Attempt,
    AttemptKind,
    HashingBusyError,
    TooManyAttemptsError,
)
from accounts.application.user_handlers import (
    authenticate,
    change_user_email_address,
    confirm_registration,
    register_user,
)
from accounts.domain.email_address import EmailAddress
from accounts.domain.errors import InvalidCredentialsError
from accounts.domain.user import User

from .fakes import FakeAttemptThrottle, FakePasswordHasher, FakeTokenIssuer, FakeUnitOfWork

ACCOUNT = Attempt(AttemptKind.FAILED_LOGIN_FOR_ACCOUNT, "ada@example.com")
CLIENT = Attempt(AttemptKind.FAILED_LOGIN_FROM_CLIENT, "203.0.113.7")


def ada() -> User:
    user = User.register(email=EmailAddress("Ada@Example.com"), password_hash="hashed:password1")
    user.events.clear()
    return user


async def login(secret: str, throttle: FakeAttemptThrottle, hasher: FakePasswordHasher) -> None:
    await authenticate(
        Authenticate(email=" ADA@example.COM ", password=secret, client="203.0.113.7"),
        FakeUnitOfWork([ada()]),
        hasher,
        FakeTokenIssuer(),
        throttle=throttle,
    )


async def test_a_throttled_login_is_refused_before_any_hashing() -> None:
    throttle, hasher = FakeAttemptThrottle(wait_seconds=2.2), FakePasswordHasher()
    throttle.blocked.add(ACCOUNT)
    with pytest.raises(TooManyAttemptsError) as raised:
        await login("password1", throttle, hasher)
    assert raised.value.retry_after == 3
    assert hasher.verifications == 0


async def test_a_failure_counts_for_account_and_client_and_a_success_clears_the_account() -> None:
    throttle, hasher = FakeAttemptThrottle(), FakePasswordHasher()
    with pytest.raises(InvalidCredentialsError):
        await login("wrong one", throttle, hasher)
    assert throttle.counts == {ACCOUNT: 1, CLIENT: 1}

    await login("password1", throttle, hasher)
    assert throttle.counts == {CLIENT: 1}


async def test_an_unknown_account_is_counted_like_a_known_one() -> None:
    throttle = FakeAttemptThrottle()
    with pytest.raises(InvalidCredentialsError):
        await authenticate(
            Authenticate(email="Nobody@Example.com", password="x", client="203.0.113.7"),
            FakeUnitOfWork(),
            FakePasswordHasher(),
            FakeTokenIssuer(),
            throttle=throttle,
        )
    assert throttle.counts[Attempt(AttemptKind.FAILED_LOGIN_FOR_ACCOUNT, "nobody@example.com")]


async def test_registrations_and_email_changes_count_every_attempt_per_client() -> None:
    throttle = FakeAttemptThrottle()
    await register_user(
        RegisterUser("bob@example.com", "password1", client="198.51.100.1"),
        FakeUnitOfWork(),
        FakePasswordHasher(),
        throttle=throttle,
    )
    user = ada()
    await change_user_email_address(
        ChangeUserEmailAddress(user.id, "ada@lovelace.org", client="198.51.100.1"),
        FakeUnitOfWork([user]),
        throttle=throttle,
    )
    assert throttle.counts == {
        Attempt(AttemptKind.REGISTRATION_FROM_CLIENT, "198.51.100.1"): 1,
        Attempt(AttemptKind.EMAIL_CHANGE_FROM_CLIENT, "198.51.100.1"): 1,
    }
    throttle.blocked.add(Attempt(AttemptKind.REGISTRATION_FROM_CLIENT, "198.51.100.1"))
    with pytest.raises(TooManyAttemptsError):
        await register_user(
            RegisterUser("eve@example.com", "password1", client="198.51.100.1"),
            FakeUnitOfWork(),
            FakePasswordHasher(),
            throttle=throttle,
        )


async def test_a_registration_the_hashing_queue_has_no_place_for_costs_nothing_else() -> None:
    """Refused before throttling or the database: a storm's answers stay cheap."""
    throttle, hasher, uow = FakeAttemptThrottle(), FakePasswordHasher(), FakeUnitOfWork()
    hasher.full = True
    with pytest.raises(HashingBusyError):
        await register_user(
            RegisterUser("eve@example.com", "password1", client="198.51.100.1"),
            uow,
            hasher,
            throttle=throttle,
        )
    assert throttle.counts == {}
    assert uow.users.pending == []


async def test_a_repeated_registration_proves_its_password_like_a_login() -> None:
    """A replay of a registration tells what a login tells: throttled and counted the same."""
    throttle, hasher = FakeAttemptThrottle(), FakePasswordHasher()
    user = ada()
    uow = FakeUnitOfWork([user])

    def confirm(secret: str, user_id: UUID = user.id) -> ConfirmRegistration:
        return ConfirmRegistration(
            user_id=user_id, email="ADA@example.com", password=secret, client="203.0.113.7"
        )

    assert await confirm_registration(confirm("password1"), uow, hasher, throttle=throttle)
    assert throttle.counts == {}
    assert not await confirm_registration(confirm("wrong one"), uow, hasher, throttle=throttle)
    assert not await confirm_registration(
        confirm("password1", uuid4()), uow, hasher, throttle=throttle
    )
    assert throttle.counts == {ACCOUNT: 2, CLIENT: 2}

    throttle.blocked.add(ACCOUNT)
    verified = hasher.verifications
    with pytest.raises(TooManyAttemptsError):
        await confirm_registration(confirm("password1"), uow, hasher, throttle=throttle)
    assert hasher.verifications == verified  # refused before any hashing
