import pytest

from contracts import (
    ACCOUNTS_EXCHANGE,
    ACCOUNTS_PROJECT_EVENTS_QUEUE,
    ALL_EVENTS,
    CONSUMER_QUEUES,
    PROJECTS_EXCHANGE,
    PROJECTS_USER_ACCOUNT_CREATED_QUEUE,
    PROJECTS_USER_TOKENS_REVOKED_QUEUE,
    ConsumerQueueNames,
    ProjectCreated,
    UserAccountCreated,
)


def test_projects_binds_its_starter_project_queue_to_user_account_created() -> None:
    queue = PROJECTS_USER_ACCOUNT_CREATED_QUEUE
    assert queue.name == "projects.user_account_created.v2"
    assert queue.exchange == ACCOUNTS_EXCHANGE
    assert queue.routing_keys == ("user.account_created.v1",)


def test_projects_binds_its_revocation_queue_to_user_tokens_revoked() -> None:
    queue = PROJECTS_USER_TOKENS_REVOKED_QUEUE
    assert queue.name == "projects.user_tokens_revoked.v2"
    assert queue.exchange == ACCOUNTS_EXCHANGE
    assert queue.routing_keys == ("user.tokens_revoked.v1",)


def test_accounts_binds_its_projection_queue_to_the_five_project_events() -> None:
    queue = ACCOUNTS_PROJECT_EVENTS_QUEUE
    assert queue.name == "accounts.project_events.v2"
    assert queue.exchange == PROJECTS_EXCHANGE
    assert queue.routing_keys == (
        "project.created.v1",
        "project.renamed.v1",
        "project.archived.v1",
        "project.unarchived.v1",
        "project.deleted.v1",
    )


def test_retry_and_dead_letter_queue_names_follow_the_queue_name() -> None:
    queue = PROJECTS_USER_ACCOUNT_CREATED_QUEUE
    assert queue.retry_queue == "projects.user_account_created.v2.retry"
    assert queue.dead_letter_queue == "projects.user_account_created.v2.dlq"


def test_the_queues_before_at_least_once_dead_lettering_are_retired_not_forgotten() -> None:
    queue = PROJECTS_USER_ACCOUNT_CREATED_QUEUE
    assert queue.retired_queues == (
        (
            "projects.user_account_created",
            "projects.user_account_created.retry",
            "projects.user_account_created.dlq",
        ),
    )


def test_no_two_queues_share_a_name() -> None:
    queues = [
        n
        for q in CONSUMER_QUEUES
        for n in (q.name, q.retry_queue, q.dead_letter_queue, *sum(q.retired_queues, ()))
    ]
    assert len(set(queues)) == len(queues)


def test_every_bound_event_is_in_the_catalogue() -> None:
    assert {event for queue in CONSUMER_QUEUES for event in queue.events} <= set(ALL_EVENTS)


def test_a_queue_binds_events_of_one_exchange_only() -> None:
    with pytest.raises(ValueError, match="several exchanges"):
        ConsumerQueueNames("mixed.events", events=(UserAccountCreated, ProjectCreated))


def test_a_queue_binds_at_least_one_event() -> None:
    with pytest.raises(ValueError, match="at least one event"):
        ConsumerQueueNames("empty.events", events=())
