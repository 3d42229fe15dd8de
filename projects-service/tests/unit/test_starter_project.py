from uuid import uuid4

from projects.domain.events import ProjectCreated
from projects.domain.names import TaskName
from projects.domain.starter_project import starter_project

from .builders import T0


def test_a_new_user_starts_with_my_first_project_and_three_tasks() -> None:
    owner = uuid4()

    project = starter_project(owner, now=T0)

    assert project.owner_id == owner
    assert project.name.value == "My first project"
    assert project.maximum_number_of_incomplete_tasks is None
    assert [(t.number, t.name.value, t.completed_at) for t in project.tasks] == [
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
