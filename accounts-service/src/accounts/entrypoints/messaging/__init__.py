"""FastStream subscribers of accounts-service."""

from accounts.bootstrap import Container
from accounts.entrypoints.messaging import project_events


def subscribe_all(container: Container) -> None:
    """Attach every consumer of this service, unless the settings turn consumers off."""
    if container.settings.run_consumers:
        project_events.subscribe(container)
