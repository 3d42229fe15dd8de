"""``projects-worker``: consumers and outbox relay without HTTP, to scale them on their own.

``projects-worker --declare-topology`` only declares the queues (run by ``make migrate``)."""

from chassis import run_worker
from projects.bootstrap import bootstrap
from projects.config import Settings
from projects.entrypoints.messaging import subscribe_all


def main() -> None:
    run_worker(prog="projects-worker", build=lambda: bootstrap(Settings()), subscribe=subscribe_all)


if __name__ == "__main__":
    main()
