"""Port: per user, the instant before which their access tokens are refused here."""

import abc

from projects.application.commands import RecordTokenRevocation


class TokenRevocations(abc.ABC):
    @abc.abstractmethod
    async def record(self, revocation: RecordTokenRevocation) -> None:
        """Keep the later of the stored instant and this one (events may come out of order)."""
