from datetime import UTC, datetime, timedelta

import pytest

from accounts.application.commands import ChangePassword, LogOut
from accounts.application.ports import Attempt, AttemptKind, TooManyAttemptsError
from accounts.application.session_handlers import change_password, log_out
from accounts.domain.email_address import EmailAddress
from accounts.domain.errors import (
    ConcurrentUpdateError,
    InvalidCredentialsError,
    InvalidPasswordError,
)
from accounts.domain.events import UserTokensRevoked
from accounts.domain.user import User

from .fakes import FakeAttemptThrottle, FakePasswordHasher, FakeUnitOfWork


def a_user() -> User:
    user = User.register(email=EmailAddress("ada@example.com"), password_hash="hashed:password1")
    user.events.clear()
    return user


async def test_logging_out_records_the_instant_and_commits_the_event() -> None:
    user = a_user()
    uow = FakeUnitOfWork([user])
    before = datetime.now(UTC)

    await log_out(LogOut(user_id=user.id), uow)

    [event] = uow.published
    stored = uow.users.users[user.id]
    assert isinstance(event, UserTokensRevoked)
    assert before <= event.revoked_before == stored.tokens_revoked_before <= datetime.now(UTC)
    assert event.user_version == stored.version == 2


async def test_a_logout_that_meets_a_concurrent_change_is_applied_again() -> None:
    user = a_user()

    class LosesTheFirstRace(FakeUnitOfWork):
        async def commit(self) -> None:
            if self.committed == 0:  # another device's logout committed first
                self.committed += 1
                raise ConcurrentUpdateError("The user was changed meanwhile.")
            await super().commit()

    uow = LosesTheFirstRace([user])
    await log_out(LogOut(user_id=user.id), uow)

    assert [type(e) for e in uow.published] == [UserTokensRevoked]
    assert uow.users.users[user.id].tokens_revoked_before is not None


def test_the_revocation_instant_never_moves_back() -> None:
    user, now = a_user(), datetime.now(UTC)
    user.end_sessions(now)
    user.end_sessions(now - timedelta(seconds=5))  # a replica whose clock is behind
    assert user.tokens_revoked_before == now


async def test_a_new_password_is_hashed_stored_and_ends_older_tokens() -> None:
    user, hasher = a_user(), FakePasswordHasher()
    uow = FakeUnitOfWork([user])

    await change_password(ChangePassword(user.id, "password1", "a new secret"), uow, hasher)

    assert uow.users.users[user.id].password_hash == "hashed:a new secret"
    assert [type(e) for e in uow.published] == [UserTokensRevoked]


async def test_a_wrong_current_password_changes_nothing() -> None:
    user, hasher = a_user(), FakePasswordHasher()
    uow = FakeUnitOfWork([user])
    with pytest.raises(InvalidCredentialsError):
        await change_password(ChangePassword(user.id, "wrong one", "a new secret"), uow, hasher)
    assert uow.users.users[user.id].password_hash == "hashed:password1"
    assert uow.published == []


async def test_a_password_changed_while_the_old_one_was_checked_is_not_replaced() -> None:
    # Both callers know "password1"; the other one's change commits while this one's
    # current password is being checked. What this caller proved is no longer the password.
    user = a_user()
    uow = FakeUnitOfWork([user])

    class ChangedMeanwhile(FakePasswordHasher):
        async def verify(self, secret: str, password_hash: str | None) -> bool:
            proven = await super().verify(secret, password_hash)
            uow.users.users[user.id].password_hash = "hashed:the other one's"
            return proven

    with pytest.raises(ConcurrentUpdateError):
        await change_password(
            ChangePassword(user.id, "password1", "a new secret"), uow, ChangedMeanwhile()
        )
    assert uow.users.users[user.id].password_hash == "hashed:the other one's"
    assert uow.published == []


async def test_a_bad_new_password_is_refused_before_any_hashing() -> None:
    user, hasher = a_user(), FakePasswordHasher()
    with pytest.raises(InvalidPasswordError):
        await change_password(
            ChangePassword(user.id, "password1", "short"), FakeUnitOfWork([user]), hasher
        )
    assert hasher.verifications == 0


async def test_a_wrong_current_password_counts_as_a_failed_login_and_is_throttled() -> None:
    user, hasher, throttle = a_user(), FakePasswordHasher(), FakeAttemptThrottle()
    account = Attempt(AttemptKind.FAILED_LOGIN_FOR_ACCOUNT, "ada@example.com")
    with pytest.raises(InvalidCredentialsError):
        await change_password(
            ChangePassword(user.id, "wrong one", "a new secret"),
            FakeUnitOfWork([user]),
            hasher,
            throttle=throttle,
        )
    assert throttle.counts == {account: 1}

    throttle.blocked.add(account)
    with pytest.raises(TooManyAttemptsError):
        await change_password(
            ChangePassword(user.id, "password1", "a new secret"),
            FakeUnitOfWork([user]),
            hasher,
            throttle=throttle,
        )
    assert hasher.verifications == 1  # the throttled attempt hashed nothing


def test_a_token_is_issued_after_every_end_of_sessions_its_read_saw() -> None:
    user, read_at = a_user(), datetime.now(UTC)
    assert user.issue_time(read_at) == read_at  # nothing ended yet

    user.end_sessions(read_at + timedelta(milliseconds=5))  # a replica whose clock is ahead
    assert user.issue_time(read_at) == read_at + timedelta(milliseconds=5, microseconds=1)
    assert user.issue_time(read_at + timedelta(seconds=1)) == read_at + timedelta(seconds=1)
