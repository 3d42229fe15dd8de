"""FastStream subscribers of accounts-service. Each consumer's queue is also listed in
``accounts.entrypoints.worker.TOPOLOGY``, which ``--declare-topology`` declares (a deploy test
checks that it holds every queue consumed here)."""

from accounts.entrypoints.messaging import project_events

CONSUMERS = (project_events.CONSUMER,)
