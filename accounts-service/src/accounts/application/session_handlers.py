"""Use cases that end a user's tokens: log out everywhere, change the password."""

from datetime import UTC, datetime

from accounts.application.commands import ChangePassword, LogOut
from accounts.application.ports import (
    Attempt,
    AttemptKind,
    AttemptThrottle,
    PasswordHasher,
    UnitOfWork,
    UserRepository,
)
from accounts.domain.errors import (
    ConcurrentUpdateError,
    InvalidCredentialsError,
    UserNotFoundError,
)
from accounts.domain.password import Password
from accounts.domain.user import User

LOG_OUT_ATTEMPTS = 3


async def log_out(command: LogOut, uow: UnitOfWork) -> None:
    """Every token issued to the user until now ends, in every service that checks tokens.
    A change of the user committed meanwhile (a logout on another device, say) is no reason
    to refuse: nothing was checked, so the logout is applied again to the user as it now is."""
    for attempt in range(1, LOG_OUT_ATTEMPTS + 1):
        try:
            async with uow as users:
                user = await _existing(users, command)
                user.end_sessions(datetime.now(UTC))
                await uow.commit()
            return
        except ConcurrentUpdateError:
            if attempt == LOG_OUT_ATTEMPTS:
                raise


async def change_password(
    command: ChangePassword,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    *,
    throttle: AttemptThrottle | None = None,
) -> None:
    """Check the current password, store the new one's hash and end every older token. A wrong
    current password counts as a failed login of the account (a stolen token must not become
    a way to guess the password)."""
    new_password = Password(command.new_password)  # a bad new one costs no hashing
    async with uow as users:
        user = await _existing(users, command)
    attempt = [Attempt(AttemptKind.FAILED_LOGIN_FOR_ACCOUNT, user.email.key)]
    if throttle is not None:
        await throttle.check(attempt)
    proven = user.password_hash
    if not await hasher.verify(command.current_password, proven):
        if throttle is not None:
            await throttle.count(attempt)
        raise InvalidCredentialsError("The current password is not correct.")
    password_hash = await hasher.hash(new_password)  # slow: hold no transaction while hashing
    async with uow as users:
        user = await _existing(users, command)
        # Refused if another change came in while this one hashed: the old password, which
        # this caller proved, is no longer the one to replace.
        user.change_password(password_hash, datetime.now(UTC), proven=proven)
        await uow.commit()


async def _existing(users: UserRepository, command: LogOut | ChangePassword) -> User:
    user = await users.get(command.user_id)
    if user is None:
        raise UserNotFoundError(str(command.user_id))
    return user
