"""FastStream subscribers of accounts-service. Each consumer's queue is also listed in
``accounts.entrypoints.worker.TOPOLOGY``, which ``--declare-topology`` declares (a deploy test
checks that it holds every queue subscribed here)."""

from accounts.bootstrap import Container
from accounts.entrypoints.messaging import project_events


def subscribe_all(container: Container) -> None:
    """Attach every consumer of this service, unless the settings turn consumers off."""
    if container.settings.run_consumers:
        project_events.subscribe(container)
