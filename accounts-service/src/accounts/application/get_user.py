"""Query: the user's own view (``/users/me``)."""

from uuid import UUID

from accounts.application.ports import UserReadModel, UserView
from accounts.domain.errors import UserNotFoundError


async def get_user(user_id: UUID, read_model: UserReadModel) -> UserView:
    view = await read_model.get_user(user_id)
    if view is None:
        raise UserNotFoundError(str(user_id))
    return view
