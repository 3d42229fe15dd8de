"""Use cases of the User aggregate: register (and confirm a repeated registration), log in,
change the address."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from accounts.application.commands import (
    Authenticate,
    ChangeUserEmailAddress,
    ConfirmRegistration,
    RegisterUser,
)
from accounts.application.ports import (
    AccessToken,
    Attempt,
    AttemptKind,
    AttemptThrottle,
    HashingBusyError,
    PasswordHasher,
    TokenIssuer,
    UnitOfWork,
)
from accounts.domain.email_address import EmailAddress
from accounts.domain.errors import (
    EmailAddressAlreadyTakenError,
    InvalidCredentialsError,
    InvalidEmailAddressError,
    UserNotFoundError,
)
from accounts.domain.password import Password
from accounts.domain.user import User


@dataclass(frozen=True)
class PreparedRegistration:
    """A registration checked, counted and hashed: all that is left is to store the user."""

    email: EmailAddress
    password_hash: str = field(repr=False)


async def register_user(
    command: RegisterUser,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    *,
    throttle: AttemptThrottle | None = None,
) -> User:
    """Prepare (refuse, count, validate, hash), then store: see the two steps."""
    return await store_registration(
        await prepare_registration(command, uow, hasher, throttle=throttle), uow
    )


async def prepare_registration(
    command: RegisterUser,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    *,
    throttle: AttemptThrottle | None = None,
) -> PreparedRegistration:
    """All of a registration that is slow or needs connections of its own, before any
    transaction that stores it begins (an idempotent request's holds a pooled connection for
    its whole length, so it must not wait for another connection or for bcrypt inside it).

    Every attempt counts against the client (a 409 tells that an address is registered).
    While the hashing queue has no place for it, it is refused before any other work, so a
    registration storm costs little more than its answers; a taken address is refused before
    the hashing."""
    if hasher.full_for_hashes():
        raise HashingBusyError("Too many registrations at once; try again shortly.")
    if throttle is not None:
        attempt = [Attempt(AttemptKind.REGISTRATION_FROM_CLIENT, command.client)]
        await throttle.check(attempt)
        await throttle.count(attempt)
    email = EmailAddress(command.email)
    password = Password(command.password)
    async with uow as users:
        if await users.get_by_email(email) is not None:
            raise EmailAddressAlreadyTakenError(email.value)
    # Slow: no transaction is open here.
    return PreparedRegistration(email=email, password_hash=await hasher.hash(password))


async def store_registration(registration: PreparedRegistration, uow: UnitOfWork) -> User:
    """Store the new user in one short transaction. An address taken since it was prepared,
    or by a concurrent twin registration (the storage's unique index), surfaces as
    ``EmailAddressAlreadyTakenError``."""
    async with uow as users:
        if await users.get_by_email(registration.email) is not None:
            raise EmailAddressAlreadyTakenError(registration.email.value)
        user = User.register(email=registration.email, password_hash=registration.password_hash)
        users.add(user)
        await uow.commit()
    return user


async def confirm_registration(
    command: ConfirmRegistration,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    *,
    throttle: AttemptThrottle | None = None,
) -> bool:
    """Whether ``command.password`` is the password of the user the first registration made:
    only then does a repeat get the first answer again (it holds the user's id). It tells what
    a login tells, so it is throttled and counted as one, and checked against the stored hash
    with the same bounded hasher; a user gone or with another password since answers False."""
    attempts = _login_attempts(command.email, command.client)
    if throttle is not None:
        await throttle.check(attempts)
    async with uow as users:
        user = await users.get(command.user_id)
    password_hash = user.password_hash if user is not None else None
    if await hasher.verify(command.password, password_hash) and user is not None:
        return True
    if throttle is not None:
        await throttle.count(attempts)
    return False


async def authenticate(
    command: Authenticate,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    tokens: TokenIssuer,
    *,
    throttle: AttemptThrottle | None = None,
) -> AccessToken:
    """One error for an unknown email and a wrong password, and the same hashing time for both.
    Failures are counted per account and per client, known account or not, and checked before
    any hashing; a success clears the account's failures."""
    try:
        email: EmailAddress | None = EmailAddress(command.email)
    except InvalidEmailAddressError:
        email = None
    attempts = _login_attempts(command.email, command.client)
    if throttle is not None:
        await throttle.check(attempts)
    # Taken before the read: a password change or logout that commits while the hash is
    # checked (under load, seconds in the hashing queue) must end this token as well.
    read_at = datetime.now(UTC)
    async with uow as users:
        user = await users.get_by_email(email) if email is not None else None
    password_hash = user.password_hash if user is not None else None
    if not await hasher.verify(command.password, password_hash) or user is None:
        if throttle is not None:
            await throttle.count(attempts)
        raise InvalidCredentialsError("Incorrect email or password.")
    if throttle is not None:
        await throttle.forget(attempts[0])
    return tokens.issue(user.id, proven_at=user.issue_time(read_at))


def _login_attempts(given: str, client: str) -> list[Attempt]:
    """The account's failures are counted by its address's key, whatever the letter case (and
    for unknown or malformed addresses too), the client's by its address."""
    return [
        Attempt(AttemptKind.FAILED_LOGIN_FOR_ACCOUNT, EmailAddress.key_of(given)),
        Attempt(AttemptKind.FAILED_LOGIN_FROM_CLIENT, client),
    ]


async def change_user_email_address(
    command: ChangeUserEmailAddress, uow: UnitOfWork, *, throttle: AttemptThrottle | None = None
) -> User:
    """Every attempt counts against the client: a 409 tells that an address is registered."""
    if throttle is not None:
        attempt = [Attempt(AttemptKind.EMAIL_CHANGE_FROM_CLIENT, command.client)]
        await throttle.check(attempt)
        await throttle.count(attempt)
    new_email = EmailAddress(command.new_email)
    async with uow as users:
        user = await users.get(command.user_id)
        if user is None:
            raise UserNotFoundError(str(command.user_id))
        holder = await users.get_by_email(new_email)
        if holder is not None and holder.id != user.id:
            raise EmailAddressAlreadyTakenError(new_email.value)
        user.change_email(new_email)
        await uow.commit()
    return user
