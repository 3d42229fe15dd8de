"""FastStream subscribers of projects-service. Each consumer's queue is also listed in
``projects.entrypoints.worker.TOPOLOGY``, which ``--declare-topology`` declares (a deploy test
checks that it holds every queue subscribed here)."""

from projects.bootstrap import Container
from projects.entrypoints.messaging import user_account_created, user_tokens_revoked


def subscribe_all(container: Container) -> None:
    """Attach every consumer of this service, unless the settings turn consumers off."""
    if container.settings.run_consumers:
        user_account_created.subscribe(container)
        user_tokens_revoked.subscribe(container)
