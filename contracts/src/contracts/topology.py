"""Consumer queues, their bindings, and the retry and dead-letter queue names derived from each.

A consumer declares one durable quorum queue per purpose, named ``<service>.<purpose>`` and bound
to its producer's topic exchange with the routing keys of the events it needs. Its failures go to
two more queues named after it, both reached through the default exchange (``""``, routing key =
queue name), so no extra exchange is needed:

=================  ========================================================================
``<queue>``        the work queue; a rejected delivery dead-letters to ``<queue>.retry``
``<queue>.retry``  holds it for the retry delay (``x-message-ttl``), then dead-letters it back
                   to ``<queue>`` alone
``<queue>.dlq``    where the consumer puts a message after its last attempt, for a person to
                   inspect and replay
=================  ========================================================================

The queues' arguments make both retry hops at-least-once (quorum dead-lettering with
``x-dead-letter-strategy: at-least-once``). RabbitMQ cannot change a queue's arguments in place, so
when they change the queues get a new name (a ``.vN`` suffix) and the earlier names are listed in
``retired``: the consumer's topology step moves what is left in them to the new queues and deletes
them once no old consumer reads them.

Retries never go back through the producer's exchange: that would hand a copy to every other
queue bound to the key. So a retried delivery arrives with routing key ``<queue>``; consumers
dispatch on the envelope's ``type`` and count attempts from the message's ``x-death`` entries.
"""

from dataclasses import dataclass

from contracts.accounts_events import UserAccountCreated, UserTokensRevoked
from contracts.event import IntegrationEvent
from contracts.projects_events import (
    ProjectArchived,
    ProjectCreated,
    ProjectDeleted,
    ProjectRenamed,
    ProjectUnarchived,
)

_RETRY_QUEUE = ".retry"
_DEAD_LETTER_QUEUE = ".dlq"


@dataclass(frozen=True)
class ConsumerQueueNames:
    """One consumer's queue for one purpose: its name, the events it binds, its retry and DLQ."""

    name: str
    events: tuple[type[IntegrationEvent], ...]
    retired: tuple[str, ...] = ()
    """Earlier names of this queue (each with its ``.retry`` and ``.dlq``), emptied into it."""

    def __post_init__(self) -> None:
        if not self.events:
            raise ValueError(f"queue {self.name!r} must bind at least one event")
        exchanges = {event.exchange for event in self.events}
        if len(exchanges) != 1:
            raise ValueError(f"queue {self.name!r} binds events of several exchanges: {exchanges}")

    @property
    def exchange(self) -> str:
        """The producer's topic exchange the queue is bound to."""
        return self.events[0].exchange

    @property
    def routing_keys(self) -> tuple[str, ...]:
        """One binding per key; the keys carry the major version, so v2 needs a new binding."""
        return tuple(event.routing_key() for event in self.events)

    @property
    def retry_queue(self) -> str:
        return self.name + _RETRY_QUEUE

    @property
    def dead_letter_queue(self) -> str:
        return self.name + _DEAD_LETTER_QUEUE

    @property
    def retired_queues(self) -> tuple[tuple[str, str, str], ...]:
        """(work, retry, dead-letter) queue names of each retired generation."""
        return tuple((old, old + _RETRY_QUEUE, old + _DEAD_LETTER_QUEUE) for old in self.retired)


PROJECTS_USER_ACCOUNT_CREATED_QUEUE = ConsumerQueueNames(
    "projects.user_account_created.v2",
    events=(UserAccountCreated,),
    retired=("projects.user_account_created",),
)
"""projects creates each new user's starter project."""

PROJECTS_USER_TOKENS_REVOKED_QUEUE = ConsumerQueueNames(
    "projects.user_tokens_revoked.v2",
    events=(UserTokensRevoked,),
    retired=("projects.user_tokens_revoked",),
)
"""projects records, per user, the instant before which that user's tokens are refused."""

ACCOUNTS_PROJECT_EVENTS_QUEUE = ConsumerQueueNames(
    "accounts.project_events.v2",
    events=(ProjectCreated, ProjectRenamed, ProjectArchived, ProjectUnarchived, ProjectDeleted),
    retired=("accounts.project_events",),
)
"""accounts keeps its ``user_projects`` projection, which ``/users/me`` lists."""

CONSUMER_QUEUES: tuple[ConsumerQueueNames, ...] = (
    PROJECTS_USER_ACCOUNT_CREATED_QUEUE,
    PROJECTS_USER_TOKENS_REVOKED_QUEUE,
    ACCOUNTS_PROJECT_EVENTS_QUEUE,
)
