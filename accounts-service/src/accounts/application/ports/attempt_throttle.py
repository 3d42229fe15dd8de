"""Port: attempts counted per account or client address, shared by every replica, so a
password can be guessed only slowly and addresses cannot be probed in bulk."""

from __future__ import annotations

import abc
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


class AttemptKind(Enum):
    FAILED_LOGIN_FOR_ACCOUNT = "failed-login-account"
    FAILED_LOGIN_FROM_CLIENT = "failed-login-client"
    REGISTRATION_FROM_CLIENT = "registration-client"
    EMAIL_CHANGE_FROM_CLIENT = "email-change-client"


@dataclass(frozen=True, slots=True)
class Attempt:
    kind: AttemptKind
    subject: str  # a normalised email address, or a client address


class TooManyAttemptsError(Exception):
    """Over a limit: try again after ``retry_after`` seconds. Says nothing about whether an
    account exists: an unknown address is counted exactly like a known one."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(f"Too many attempts; try again in {self.retry_after} seconds.")


class AttemptThrottle(abc.ABC):
    @abc.abstractmethod
    async def wait(self, attempts: Sequence[Attempt]) -> float:
        """Seconds until every one of ``attempts`` is allowed again (0: allowed now)."""

    @abc.abstractmethod
    async def count(self, attempts: Sequence[Attempt]) -> None:
        """Record one more of each; past its kind's free allowance each one delays the next."""

    @abc.abstractmethod
    async def forget(self, attempt: Attempt) -> None:
        """Clear the count (a successful login clears its account's failures)."""

    async def check(self, attempts: Sequence[Attempt]) -> None:
        """Raise ``TooManyAttemptsError`` unless every one of ``attempts`` is allowed now."""
        wait = await self.wait(attempts)
        if wait > 0:
            raise TooManyAttemptsError(wait)
