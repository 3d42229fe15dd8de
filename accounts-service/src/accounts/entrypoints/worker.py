"""``accounts-worker``: consumers and outbox relay without HTTP, to scale them on their own.

``accounts-worker --declare-topology`` only declares the exchange and the queues (run by
``make migrate`` and the migration one-shot): for that it imports neither SQLAlchemy nor the
signing key, so the container's modules are imported in ``container()``, when it is built."""

from chassis import ServiceContainer, Topology, run_worker
from contracts import ACCOUNTS_EXCHANGE, ACCOUNTS_PROJECT_EVENTS_QUEUE

TOPOLOGY = Topology(ACCOUNTS_EXCHANGE, consumes=(ACCOUNTS_PROJECT_EVENTS_QUEUE,))
"""The exchange accounts publishes to and the queues its consumers read (``subscribe_all``)."""


def container() -> ServiceContainer:
    """The service's container with its consumers subscribed, as the worker runs it."""
    from accounts.bootstrap import bootstrap  # noqa: PLC0415 - see the module's docstring
    from accounts.config import Settings  # noqa: PLC0415
    from accounts.entrypoints.messaging import subscribe_all  # noqa: PLC0415

    built = bootstrap(Settings())
    subscribe_all(built)
    return built


def main() -> None:
    run_worker(prog="accounts-worker", topology=TOPOLOGY, build=container)


if __name__ == "__main__":
    main()
