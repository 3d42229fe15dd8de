"""The ``user_projects`` projection ends in the newest state of every field whatever order one
project's events arrive in (the relay does not keep order across batches and replicas)."""

from itertools import permutations
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from accounts.application.commands import RecordProjectChange
from accounts.bootstrap import Container
from accounts.infrastructure.persistence.tables import user_projects
from accounts.infrastructure.persistence.user_projects_projection import SqlUserProjects

OWNER = uuid4()


def history(project_id: UUID) -> list[RecordProjectChange]:
    """created v1, renamed v2, archived v3, unarchived v4, renamed v5, deleted v6."""
    return [
        RecordProjectChange(project_id, OWNER, 1, name="Oldest"),
        RecordProjectChange(project_id, OWNER, 2, name="Middle"),
        RecordProjectChange(project_id, OWNER, 3),
        RecordProjectChange(project_id, OWNER, 4),
        RecordProjectChange(project_id, OWNER, 5, name="Newest"),
        RecordProjectChange(project_id, OWNER, 6, deleted=True),
    ]


# How many of the history's events arrive (in every order), and the state they must end in.
CASES = {
    "created-renamed-archived": (3, ("Middle", 3, False)),
    "then-unarchived-renamed": (5, ("Newest", 5, False)),
    "then-deleted": (6, ("Newest", 6, True)),
}


@pytest.mark.parametrize("case", CASES)
async def test_every_order_of_one_projects_events_ends_in_its_newest_state(
    container: Container, case: str
) -> None:
    count, expected = CASES[case]
    orders = list(permutations(range(count)))
    projects: dict[UUID, tuple[int, ...]] = {}
    async with container.platform.engine.begin() as connection:
        projection = SqlUserProjects(connection)
        for order in orders:
            project_id = uuid4()
            projects[project_id] = order
            changes = history(project_id)
            for index in order:
                await projection.record(changes[index])
            await projection.record(changes[order[0]])  # and a redelivery changes nothing
        rows = (await connection.execute(select(user_projects))).all()

    wrong = [
        (projects[row.project_id], row.name, row.project_version, row.deleted)
        for row in rows
        if (row.name, row.project_version, row.deleted) != expected
    ]
    assert len(rows) == len(orders)
    assert wrong == []
