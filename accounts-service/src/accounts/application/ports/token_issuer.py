"""Port: mint access tokens for an authenticated user."""

import abc
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_in: int  # seconds


class TokenIssuer(abc.ABC):
    @abc.abstractmethod
    def issue(self, user_id: UUID, *, proven_at: datetime) -> AccessToken:
        """A token whose issue time, the one a logout or a password change compares, is
        ``proven_at``: the instant the credentials it rests on were read. A password change
        that commits while the old password is still being checked ends it too."""
