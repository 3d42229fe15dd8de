"""Port: the local list of each user's projects that ``/users/me`` shows (a projection of
projects-service's events, which may arrive late, twice or out of order)."""

import abc

from accounts.application.commands import RecordProjectChange


class UserProjects(abc.ABC):
    @abc.abstractmethod
    async def record(self, change: RecordProjectChange) -> None:
        """Apply the change unless the projection already holds something newer."""
