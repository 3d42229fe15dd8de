"""Use case: register a new account."""

from accounts.application.commands import RegisterUser
from accounts.application.ports import PasswordHasher, UnitOfWork
from accounts.domain.email_address import EmailAddress
from accounts.domain.errors import EmailAddressAlreadyTakenError
from accounts.domain.password import Password
from accounts.domain.user import User


async def register_user(command: RegisterUser, uow: UnitOfWork, hasher: PasswordHasher) -> User:
    """Validate, refuse a taken address, hash, store. A concurrent twin registration is caught
    by the storage's unique index and surfaces as the same ``EmailAddressAlreadyTakenError``."""
    email = EmailAddress(command.email)
    password = Password(command.password)
    async with uow:
        if await uow.users.get_by_email(email) is not None:
            raise EmailAddressAlreadyTakenError(email.value)
    password_hash = await hasher.hash(password)  # slow: hold no transaction while hashing
    async with uow:
        user = User.register(email=email, password_hash=password_hash)
        uow.users.add(user)
        await uow.commit()
    return user
