"""Port: one atomic business transaction."""

from typing import Protocol

from projects.application.ports.project_repository import ProjectRepository


class UnitOfWork(Protocol):
    """``async with uow as projects``: everything done with the projects it hands out lands at
    ``commit()`` together with the events they raised (the outbox), or not at all. A project
    loaded for change stays locked against other writers until the unit of work ends,
    committed or not."""

    async def __aenter__(self) -> ProjectRepository: ...

    async def __aexit__(self, *exc_info: object) -> None: ...

    async def commit(self) -> None:
        """May raise ``ConcurrentUpdateError`` (another writer won) or, for a project whose id
        is taken already, ``ProjectAlreadyExistsError``."""
