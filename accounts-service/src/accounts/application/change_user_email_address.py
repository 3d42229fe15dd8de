"""Use case: change the address a user logs in with."""

from accounts.application.commands import ChangeUserEmailAddress
from accounts.application.ports import UnitOfWork
from accounts.domain.email_address import EmailAddress
from accounts.domain.errors import EmailAddressAlreadyTakenError, UserNotFoundError
from accounts.domain.user import User


async def change_user_email_address(command: ChangeUserEmailAddress, uow: UnitOfWork) -> User:
    new_email = EmailAddress(command.new_email)
    async with uow:
        user = await uow.users.get(command.user_id)
        if user is None:
            raise UserNotFoundError(str(command.user_id))
        holder = await uow.users.get_by_email(new_email)
        if holder is not None and holder.id != user.id:
            raise EmailAddressAlreadyTakenError(new_email.value)
        user.change_email(new_email)
        await uow.commit()
    return user
