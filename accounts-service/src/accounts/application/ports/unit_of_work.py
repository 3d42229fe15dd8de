"""Port: one atomic business transaction."""

from typing import Protocol

from accounts.application.ports.user_repository import UserRepository


class UnitOfWork(Protocol):
    """``async with uow as users``: everything done with the users it hands out lands at
    ``commit()`` together with the events they raised (stored as the outbox), so a change and
    its integration event can never part; leaving without ``commit()`` undoes it all.
    Two registrations of one address race to one winner."""

    async def __aenter__(self) -> UserRepository: ...

    async def __aexit__(self, *exc_info: object) -> None: ...

    async def commit(self) -> None:
        """May raise ``EmailAddressAlreadyTakenError`` (a twin registration or change of
        address won) or
        ``ConcurrentUpdateError`` (the user was changed meanwhile)."""
