"""Port: the read side (CQRS) — views answered straight from storage, no aggregate loaded."""

import abc
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class UserProjectView:
    id: UUID
    name: str


@dataclass(frozen=True, slots=True)
class UserView:
    id: UUID
    email: str
    projects: list[UserProjectView]


class UserReadModel(abc.ABC):
    @abc.abstractmethod
    async def get_user(self, user_id: UUID) -> UserView | None:
        """The user with the projects of their local projection, deleted ones left out."""
