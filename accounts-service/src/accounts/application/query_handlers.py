"""Query handlers: straight from the read model."""

from accounts.application.ports import UserReadModel, UserView
from accounts.application.queries import GetUser
from accounts.domain.errors import UserNotFoundError


async def get_user(query: GetUser, read_model: UserReadModel) -> UserView:
    view = await read_model.get_user(query.user_id)
    if view is None:
        raise UserNotFoundError(str(query.user_id))
    return view
