"""What each service may do on the broker: its RabbitMQ permissions, from the names above.

A service owns its topic exchange (``<service>.events``) and its consumer queues
(``<service>.<purpose>``, each with ``.retry`` and ``.dlq``). RabbitMQ checks three regular
expressions per user and vhost; what our code does needs exactly these names:

=============  =================================================================================
configure      its exchange and queues (declared at start); the exchanges its queues are bound to,
               which a consumer declares too, so that a binding never waits for the producer's
               first start (configure also allows deleting them: the price of that independence)
write          its exchange (the relay publishes); its queues (``queue.bind`` writes the queue);
               ``amq.default``, the default exchange (a queue's dead-letter exchange, and where a
               consumer moves a message that failed its last attempt to its ``.dlq``)
read           its queues (consume, get); the exchanges its queues are bound to (``queue.bind``
               reads the source)
=============  =================================================================================

"Its queues" includes the retired generations of its queues (``ConsumerQueueNames.retired``):
the topology step reads them, moves what they hold and deletes them.

Nothing reaches the other service's queues, and no service may publish to the other's exchange.
docker/rabbitmq/definitions.json and the Kubernetes ``Permission`` objects hold these patterns;
deploy-tests checks they are the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contracts.names import ACCOUNTS_EXCHANGE, PROJECTS_EXCHANGE
from contracts.topology import CONSUMER_QUEUES

DEFAULT_EXCHANGE = "amq.default"
"""How RabbitMQ's permissions name the default exchange (``""`` in the protocol)."""

_OWN_EXCHANGES = {"accounts": ACCOUNTS_EXCHANGE, "projects": PROJECTS_EXCHANGE}


@dataclass(frozen=True)
class BrokerPermissions:
    """A user's ``configure``, ``write`` and ``read`` patterns on a vhost, in RabbitMQ's order."""

    configure: str
    write: str
    read: str


def broker_permissions(service: str) -> BrokerPermissions:
    """The permissions of ``service``'s broker user (``accounts``, ``projects``)."""
    if service not in _OWN_EXCHANGES:
        raise ValueError(f"unknown service {service!r}: one of {sorted(_OWN_EXCHANGES)}")
    exchange = _OWN_EXCHANGES[service]
    consumed = [q for q in CONSUMER_QUEUES if q.name.startswith(service + ".")]
    queues = [name for q in consumed for name in (q.name, q.retry_queue, q.dead_letter_queue)]
    queues += [name for q in consumed for generation in q.retired_queues for name in generation]
    sources = sorted({q.exchange for q in consumed})
    return BrokerPermissions(
        configure=_exactly([exchange, *queues, *sources]),
        write=_exactly([exchange, *queues, DEFAULT_EXCHANGE]),
        read=_exactly([*queues, *sources]),
    )


def _exactly(names: list[str]) -> str:
    """A pattern matching these names and nothing else (RabbitMQ searches, so it is anchored)."""
    return "^(" + "|".join(re.escape(name) for name in dict.fromkeys(names)) + ")$"
