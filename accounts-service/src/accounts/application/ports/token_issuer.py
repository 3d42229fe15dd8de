"""Port: mint access tokens for an authenticated user."""

import abc
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_in: int  # seconds


class TokenIssuer(abc.ABC):
    @abc.abstractmethod
    def issue(self, user_id: UUID) -> AccessToken: ...
