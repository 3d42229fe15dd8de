from uuid import UUID, uuid4

from projects.domain.events import ProjectCreated
from projects.domain.names import TaskName
from projects.domain.starter_project import starter_project, starter_project_id

from .builders import T0


def test_a_new_user_starts_with_my_first_project_and_three_tasks() -> None:
    owner = uuid4()

    project = starter_project(owner, now=T0)

    assert project.owner_id == owner
    assert project.name.value == "My first project"
    assert project.maximum_number_of_incomplete_tasks is None
    assert [(t.number, t.name.value, t.completed_at) for t in project.tasks_at_hand] == [
        (1, "Sign up!", T0),
        (2, "Watch the tutorial", None),
        (3, "Start using our awesome app", None),
    ]


def test_the_starter_project_is_one_creation_at_version_1() -> None:
    project = starter_project(uuid4(), now=T0)

    assert project.version == 1
    assert [type(e) for e in project.events] == [ProjectCreated]
    assert project.events[0].project_version == 1


def test_the_starter_project_continues_numbering_at_4() -> None:
    project = starter_project(uuid4())
    assert project.add_task(TaskName("My own task")).number == 4


def test_the_starter_project_id_derives_from_the_owner_alone() -> None:
    owner = uuid4()

    assert starter_project(owner).id == starter_project_id(owner)
    assert starter_project(owner, now=T0).id == starter_project_id(owner)
    assert starter_project_id(uuid4()) != starter_project_id(owner)
    assert starter_project_id(owner).version == 5


def test_the_starter_project_id_never_changes_for_a_given_owner() -> None:
    # Pinned: a new namespace would give every existing user a second starter project.
    owner = UUID("11111111-1111-4111-8111-111111111111")
    assert starter_project_id(owner) == UUID("94a31055-1b97-5168-8fa4-fe46db974255")
