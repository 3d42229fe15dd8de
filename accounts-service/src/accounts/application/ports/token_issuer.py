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
        """A token whose issue time, the one a logout or a password change compares (the
        ``iat_us`` claim), is ``proven_at``: when the credentials it rests on were read
        (``User.issue_time``). A password change that commits while the old password is still
        being checked ends it too."""
