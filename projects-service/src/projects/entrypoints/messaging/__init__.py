"""FastStream subscribers of projects-service. Each consumer's queue is also listed in
``projects.entrypoints.worker.TOPOLOGY``, which ``--declare-topology`` declares (a deploy test
checks that it holds every queue consumed here)."""

from projects.entrypoints.messaging import user_account_created, user_tokens_revoked

CONSUMERS = (user_account_created.CONSUMER, user_tokens_revoked.CONSUMER)
