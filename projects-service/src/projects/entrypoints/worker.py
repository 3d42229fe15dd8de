"""``projects-worker``: consumers and outbox relay without HTTP, to scale them on their own.

``projects-worker --declare-topology`` only declares the exchange and the queues (run by
``make migrate`` and the migration one-shot): for that it imports neither SQLAlchemy nor the
full settings; the runtime (``projects.entrypoints.runtime``) is imported only to run."""

from chassis import Topology, run_worker
from contracts import (
    PROJECTS_EXCHANGE,
    PROJECTS_USER_ACCOUNT_CREATED_QUEUE,
    PROJECTS_USER_TOKENS_REVOKED_QUEUE,
)

TOPOLOGY = Topology(
    PROJECTS_EXCHANGE,
    consumes=(PROJECTS_USER_ACCOUNT_CREATED_QUEUE, PROJECTS_USER_TOKENS_REVOKED_QUEUE),
)
"""The exchange projects publishes to and the queues its consumers read (``CONSUMERS``)."""
RUNTIME = "projects.entrypoints.runtime:RUNTIME"
"""Where the worker finds its ``ServiceRuntime``: imported only to run."""


def main() -> None:
    run_worker(prog="projects-worker", topology=TOPOLOGY, runtime=RUNTIME)
