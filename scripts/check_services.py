"""Say in one clear line each whether PostgreSQL and RabbitMQ answer (``make run`` preflight)."""

import os
import socket
import sys
from urllib.parse import urlsplit

CHECKS = [
    (
        "PostgreSQL",
        os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/taskboard"),
        5432,
        "start it (e.g. 'pg_ctlcluster 15 main start') or point DATABASE_URL at one",
    ),
    (
        "RabbitMQ",
        os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
        5672,
        "start it (e.g. 'rabbitmq-server -detached') or point AMQP_URL at one",
    ),
]


def answers(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


def main() -> int:
    failed = 0
    for name, url, default_port, fix in CHECKS:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or default_port
        if not answers(host, port):
            print(f"{name} is not reachable at {host}:{port}: {fix}.", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
