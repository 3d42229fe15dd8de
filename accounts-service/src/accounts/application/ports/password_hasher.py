"""Port: slow, salted password hashing."""

import abc

from accounts.domain.password import Password


class HashingBusyError(Exception):
    """The hashing queue is full (for this kind of work): answer at once, try again soon."""


class PasswordHasher(abc.ABC):
    """Hashes and checks passwords without blocking the caller's event loop."""

    def full_for_hashes(self) -> bool:
        """Whether a hash asked now would be turned away: lets a registration be refused
        before it costs anything else (throttling, database). A hint; ``hash`` decides."""
        return False

    @abc.abstractmethod
    async def hash(self, password: Password) -> str:
        """May raise ``HashingBusyError``; registrations never take the logins' share."""

    @abc.abstractmethod
    async def verify(self, secret: str, password_hash: str | None) -> bool:
        """True when ``secret`` matches. With no hash, spend the same time and answer False,
        so a response time does not tell whether an email is registered. May raise
        ``HashingBusyError``."""
