"""``accounts-worker``: consumers and outbox relay without HTTP, to scale them on their own.

``accounts-worker --declare-topology`` only declares the queues (run by ``make migrate``)."""

from accounts.bootstrap import bootstrap
from accounts.config import Settings
from accounts.entrypoints.messaging import subscribe_all
from chassis import run_worker


def main() -> None:
    run_worker(prog="accounts-worker", build=lambda: bootstrap(Settings()), subscribe=subscribe_all)


if __name__ == "__main__":
    main()
