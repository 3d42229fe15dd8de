"""``accounts-worker``: consumers and outbox relay without HTTP, to scale them on their own.

``accounts-worker --declare-topology`` only declares the exchange and the queues (run by
``make migrate`` and the migration one-shot): for that it imports neither SQLAlchemy nor the
signing key; the runtime (``accounts.entrypoints.runtime``) is imported only to run."""

from chassis import Topology, run_worker
from contracts import ACCOUNTS_EXCHANGE, ACCOUNTS_PROJECT_EVENTS_QUEUE

TOPOLOGY = Topology(ACCOUNTS_EXCHANGE, consumes=(ACCOUNTS_PROJECT_EVENTS_QUEUE,))
"""The exchange accounts publishes to and the queues its consumers read (``CONSUMERS``)."""
RUNTIME = "accounts.entrypoints.runtime:RUNTIME"
"""Where the worker finds its ``ServiceRuntime``: imported only to run."""


def main() -> None:
    run_worker(prog="accounts-worker", topology=TOPOLOGY, runtime=RUNTIME)
