"""``projects-worker``: consumers and outbox relay without HTTP, to scale them on their own.

``projects-worker --declare-topology`` only declares the exchange and the queues (run by
``make migrate`` and the migration one-shot): for that it imports neither SQLAlchemy nor the
full settings, so the container's modules are imported in ``container()``, when it is built."""

from chassis import ServiceContainer, Topology, run_worker
from contracts import (
    PROJECTS_EXCHANGE,
    PROJECTS_USER_ACCOUNT_CREATED_QUEUE,
    PROJECTS_USER_TOKENS_REVOKED_QUEUE,
)

TOPOLOGY = Topology(
    PROJECTS_EXCHANGE,
    consumes=(PROJECTS_USER_ACCOUNT_CREATED_QUEUE, PROJECTS_USER_TOKENS_REVOKED_QUEUE),
)
"""The exchange projects publishes to and the queues its consumers read (``subscribe_all``)."""


def container() -> ServiceContainer:
    """The service's container with its consumers subscribed, as the worker runs it."""
    from projects.bootstrap import bootstrap  # noqa: PLC0415 - see the module's docstring
    from projects.config import Settings  # noqa: PLC0415
    from projects.entrypoints.messaging import subscribe_all  # noqa: PLC0415

    built = bootstrap(Settings())
    subscribe_all(built)
    return built


def main() -> None:
    run_worker(prog="projects-worker", topology=TOPOLOGY, build=container)


if __name__ == "__main__":
    main()
