"""Use case: log in — exchange an email and password for an access token."""

from accounts.application.commands import Authenticate
from accounts.application.ports import AccessToken, PasswordHasher, TokenIssuer, UnitOfWork
from accounts.domain.email_address import EmailAddress
from accounts.domain.errors import InvalidCredentialsError, InvalidEmailAddressError


async def authenticate(
    command: Authenticate, uow: UnitOfWork, hasher: PasswordHasher, tokens: TokenIssuer
) -> AccessToken:
    """One error for an unknown email and a wrong password, and the same hashing time for both."""
    try:
        email: EmailAddress | None = EmailAddress(command.email)
    except InvalidEmailAddressError:
        email = None
    async with uow:
        user = await uow.users.get_by_email(email) if email is not None else None
    password_hash = user.password_hash if user is not None else None
    if not await hasher.verify(command.password, password_hash) or user is None:
        raise InvalidCredentialsError("Incorrect email or password.")
    return tokens.issue(user.id)
