"""Every rule of the Project aggregate."""

from datetime import timedelta
from uuid import uuid4

import pytest

from projects.domain.errors import (
    InvalidMaximumNumberOfIncompleteTasksError,
    MaxIncompleteTasksNumberIsReachedError,
    ProjectArchivedError,
    ProjectHasIncompleteTasksError,
    ProjectNotArchivedError,
    ProjectNotFoundError,
    TaskNotFoundError,
)
from projects.domain.events import (
    ProjectArchived,
    ProjectCreated,
    ProjectDeleted,
    ProjectRenamed,
    ProjectUnarchived,
)
from projects.domain.names import ProjectName, TaskName
from projects.domain.project import Project
from projects.domain.task import Task

from .builders import T0, a_project

LATER = T0 + timedelta(days=1)


# -- creation -------------------------------------------------------------------------------------


def test_creating_raises_project_created_at_version_1() -> None:
    owner = uuid4()
    project = Project.create(
        owner_id=owner, name=ProjectName("Garden"), maximum_number_of_incomplete_tasks=3, now=T0
    )

    assert (project.version, project.created_at, project.tasks_at_hand) == (1, T0, ())
    assert not project.archived
    assert not project.deleted
    [event] = project.events
    assert event == ProjectCreated(
        project_id=project.id,
        owner_id=owner,
        project_version=1,
        occurred_at=T0,
        name="Garden",
        maximum_number_of_incomplete_tasks=3,
    )


@pytest.mark.parametrize("limit", [0, -1, True, 2.5, "3"])
def test_the_limit_must_be_a_whole_number_of_at_least_1(limit: object) -> None:
    with pytest.raises(InvalidMaximumNumberOfIncompleteTasksError):
        Project.create(
            owner_id=uuid4(),
            name=ProjectName("Garden"),
            maximum_number_of_incomplete_tasks=limit,  # type: ignore[arg-type]
        )


@pytest.mark.parametrize("limit", [None, 1, 1000])
def test_no_limit_or_a_limit_of_1_or_more_is_accepted(limit: int | None) -> None:
    project = Project.create(
        owner_id=uuid4(), name=ProjectName("Garden"), maximum_number_of_incomplete_tasks=limit
    )
    assert project.maximum_number_of_incomplete_tasks == limit


def test_a_new_project_with_tasks_must_number_them_from_1() -> None:
    with pytest.raises(ValueError, match="numbered 1, 2, 3"):
        Project.create(
            owner_id=uuid4(),
            name=ProjectName("Garden"),
            tasks=[Task(number=2, name=TaskName("Plant roses"))],
        )


def test_a_new_project_cannot_start_with_more_incomplete_tasks_than_its_limit() -> None:
    tasks = [Task(number=n, name=TaskName(f"Task {n}")) for n in (1, 2)]
    with pytest.raises(MaxIncompleteTasksNumberIsReachedError):
        Project.create(
            owner_id=uuid4(),
            name=ProjectName("Garden"),
            maximum_number_of_incomplete_tasks=1,
            tasks=tasks,
        )


# -- tasks: numbering and the limit ---------------------------------------------------------------


def test_tasks_are_numbered_1_2_3_in_order_of_addition() -> None:
    project = a_project()

    added = [project.add_task(TaskName(f"Task {n}")) for n in range(3)]

    assert [task.number for task in added] == [1, 2, 3]
    assert project.tasks_at_hand == tuple(added)
    assert all(not task.is_completed for task in added)


def test_task_numbers_are_never_reused() -> None:
    # A project whose tasks 3 and 4 are gone (e.g. an older data fix) continues at 5.
    project = Project(
        id=uuid4(),
        owner_id=uuid4(),
        name=ProjectName("Garden"),
        created_at=T0,
        tasks=[Task(number=n, name=TaskName(f"Task {n}")) for n in (1, 2)],
        next_task_number=5,
    )
    assert project.add_task(TaskName("Next one")).number == 5
    assert project.add_task(TaskName("And next")).number == 6


def test_adding_a_task_is_refused_when_the_limit_is_reached() -> None:
    project = a_project(limit=2, open_tasks=2)

    with pytest.raises(MaxIncompleteTasksNumberIsReachedError, match="at most 2"):
        project.add_task(TaskName("One too many"))
    assert len(project.tasks_at_hand) == 2
    assert project.next_task_number == 3


def test_completed_tasks_do_not_count_against_the_limit() -> None:
    project = a_project(limit=1, done_tasks=5)

    assert project.add_task(TaskName("Only open one")).number == 6
    with pytest.raises(MaxIncompleteTasksNumberIsReachedError):
        project.add_task(TaskName("Second open one"))


def test_counts_follow_every_task_change() -> None:
    project = a_project(limit=3, open_tasks=1, done_tasks=1)

    project.add_task(TaskName("Third one"))
    project.complete_task(1)
    project.incomplete_task(2)

    assert (project.number_of_tasks, project.number_of_incomplete_tasks) == (3, 2)
    assert project.number_of_completed_tasks == 1


def test_a_project_loaded_with_counts_and_one_task_keeps_every_rule() -> None:
    # What the repository hands out: the counts of all tasks, only the task a change is about.
    project = a_project(limit=3, open_tasks=1)
    project.restore_task_counts(total=40, incomplete=3)

    with pytest.raises(MaxIncompleteTasksNumberIsReachedError):
        project.add_task(TaskName("Past the limit"))
    with pytest.raises(ProjectHasIncompleteTasksError, match="3 incomplete"):
        project.archive()
    project.complete_task(1)
    assert project.add_task(TaskName("Room again")).number == 2
    assert (project.number_of_tasks, project.number_of_incomplete_tasks) == (41, 3)


def test_without_a_limit_any_number_of_tasks_can_be_open() -> None:
    project = a_project(open_tasks=50)
    project.add_task(TaskName("Fifty-first"))
    assert project.number_of_incomplete_tasks == 51


def test_completing_a_task_sets_its_completion_time() -> None:
    project = a_project(open_tasks=1)

    task = project.complete_task(1, now=LATER)

    assert task.completed_at == LATER
    assert project.number_of_incomplete_tasks == 0


def test_completing_a_completed_task_keeps_its_first_completion_time() -> None:
    project = a_project(open_tasks=1)
    project.complete_task(1, now=T0)
    version = project.version

    task = project.complete_task(1, now=LATER)

    assert task.completed_at == T0
    assert project.version == version  # nothing changed


def test_reopening_a_completed_task_clears_its_completion_time() -> None:
    project = a_project(done_tasks=1)

    task = project.incomplete_task(1)

    assert task.completed_at is None
    assert project.number_of_incomplete_tasks == 1


def test_reopening_an_open_task_is_a_no_op() -> None:
    project = a_project(open_tasks=1, limit=1)
    version = project.version

    task = project.incomplete_task(1)  # already open, and the limit is reached: still fine

    assert task.completed_at is None
    assert project.version == version


def test_reopening_is_refused_when_it_would_exceed_the_limit() -> None:
    project = a_project(limit=1, open_tasks=1, done_tasks=1)

    with pytest.raises(MaxIncompleteTasksNumberIsReachedError):
        project.incomplete_task(1)
    assert project.task(1).is_completed


def test_reopening_is_allowed_below_the_limit() -> None:
    project = a_project(limit=2, open_tasks=1, done_tasks=1)
    assert project.incomplete_task(1).completed_at is None


@pytest.mark.parametrize("number", [0, -1, 2, 10**12])
def test_an_unknown_task_number_is_not_found(number: int) -> None:
    project = a_project(open_tasks=1)
    with pytest.raises(TaskNotFoundError):
        project.complete_task(number)
    with pytest.raises(TaskNotFoundError):
        project.incomplete_task(number)
    with pytest.raises(TaskNotFoundError):
        project.task(number)


# -- the project itself ---------------------------------------------------------------------------


def test_renaming_bumps_the_version_and_raises_project_renamed() -> None:
    project = a_project(name="Garden")
    version = project.version

    project.rename(ProjectName("Vegetable garden"), now=LATER)

    assert project.name == ProjectName("Vegetable garden")
    assert project.version == version + 1
    assert project.events == [
        ProjectRenamed(
            project_id=project.id,
            owner_id=project.owner_id,
            project_version=version + 1,
            occurred_at=LATER,
            name="Vegetable garden",
        )
    ]


def test_renaming_to_the_same_name_changes_nothing() -> None:
    project = a_project(name="Garden")
    version = project.version
    project.rename(ProjectName(" Garden "))
    assert (project.version, project.events) == (version, [])


def test_changing_the_limit_bumps_the_version_without_an_integration_event() -> None:
    project = a_project(limit=None)
    version = project.version

    project.change_maximum_number_of_incomplete_tasks(5)

    assert project.maximum_number_of_incomplete_tasks == 5
    assert project.version == version + 1
    assert project.events == []


def test_a_limit_below_the_current_number_of_open_tasks_only_blocks_new_ones() -> None:
    project = a_project(open_tasks=3)

    project.change_maximum_number_of_incomplete_tasks(1)

    assert project.number_of_incomplete_tasks == 3
    with pytest.raises(MaxIncompleteTasksNumberIsReachedError):
        project.add_task(TaskName("Fourth"))


@pytest.mark.parametrize("limit", [0, -5, False])
def test_changing_to_an_invalid_limit_is_refused(limit: int) -> None:
    project = a_project(limit=3)
    with pytest.raises(InvalidMaximumNumberOfIncompleteTasksError):
        project.change_maximum_number_of_incomplete_tasks(limit)
    assert project.maximum_number_of_incomplete_tasks == 3


def test_removing_the_limit() -> None:
    project = a_project(limit=1, open_tasks=1)
    project.change_maximum_number_of_incomplete_tasks(None)
    assert project.add_task(TaskName("Now allowed")).number == 2


def test_archiving_requires_all_tasks_completed() -> None:
    project = a_project(open_tasks=1, done_tasks=1)

    with pytest.raises(ProjectHasIncompleteTasksError, match="1 incomplete"):
        project.archive()
    assert not project.archived
    assert project.events == []


def test_archiving_a_project_whose_tasks_are_all_complete() -> None:
    project = a_project(done_tasks=2)
    version = project.version

    project.archive(now=LATER)

    assert (project.archived, project.archived_at, project.version) == (True, LATER, version + 1)
    assert project.events == [
        ProjectArchived(
            project_id=project.id,
            owner_id=project.owner_id,
            project_version=version + 1,
            occurred_at=LATER,
        )
    ]


def test_a_project_without_tasks_can_be_archived() -> None:
    project = a_project()
    project.archive()
    assert project.archived


def test_archiving_an_archived_project_changes_nothing() -> None:
    project = a_project(archived=True)
    archived_at, version = project.archived_at, project.version
    project.archive(now=LATER)
    assert (project.archived_at, project.version, project.events) == (archived_at, version, [])


def test_unarchiving_is_allowed_any_time() -> None:
    project = a_project(done_tasks=1, archived=True)
    version = project.version

    project.unarchive(now=LATER)

    assert not project.archived
    assert project.archived_at is None
    assert [type(e) for e in project.events] == [ProjectUnarchived]
    assert project.events[0].project_version == project.version == version + 1


def test_unarchiving_a_project_that_is_not_archived_changes_nothing() -> None:
    project = a_project()
    version = project.version
    project.unarchive()
    assert (project.version, project.events) == (version, [])


def test_the_tasks_of_an_archived_project_cannot_change() -> None:
    project = a_project(done_tasks=1, archived=True)

    with pytest.raises(ProjectArchivedError):
        project.add_task(TaskName("Too late"))
    with pytest.raises(ProjectArchivedError):
        project.complete_task(1)
    with pytest.raises(ProjectArchivedError):
        project.incomplete_task(1)
    assert len(project.tasks_at_hand) == 1
    assert project.task(1).is_completed


def test_an_archived_project_can_be_renamed() -> None:
    project = a_project(archived=True)
    project.rename(ProjectName("Old garden"))
    assert project.name.value == "Old garden"


def test_deleting_requires_the_project_archived() -> None:
    project = a_project()

    with pytest.raises(ProjectNotArchivedError):
        project.delete()
    assert not project.deleted


def test_deleting_an_archived_project_is_a_soft_delete() -> None:
    project = a_project(archived=True)
    version = project.version

    project.delete(now=LATER)

    assert (project.deleted, project.deleted_at, project.version) == (True, LATER, version + 1)
    assert project.events == [
        ProjectDeleted(
            project_id=project.id,
            owner_id=project.owner_id,
            project_version=version + 1,
            occurred_at=LATER,
        )
    ]


def test_a_deleted_project_refuses_every_change_as_not_found() -> None:
    project = a_project(done_tasks=1, archived=True)
    project.delete()
    changes = [
        lambda: project.rename(ProjectName("Resurrected")),
        lambda: project.change_maximum_number_of_incomplete_tasks(3),
        project.archive,
        project.unarchive,
        project.delete,
        lambda: project.add_task(TaskName("Ghost task")),
        lambda: project.complete_task(1),
        lambda: project.incomplete_task(1),
    ]
    for change in changes:
        with pytest.raises(ProjectNotFoundError):
            change()


def test_every_change_bumps_the_version_by_one_and_events_carry_it() -> None:
    project = Project.create(owner_id=uuid4(), name=ProjectName("Garden"))
    steps = [
        lambda: project.add_task(TaskName("Dig beds")),
        lambda: project.complete_task(1),
        lambda: project.incomplete_task(1),
        lambda: project.complete_task(1),
        lambda: project.rename(ProjectName("Big garden")),
        lambda: project.change_maximum_number_of_incomplete_tasks(2),
        project.archive,
        project.unarchive,
        project.archive,
        project.delete,
    ]
    for expected_version, step in enumerate(steps, start=2):
        step()
        assert project.version == expected_version

    assert [(type(e).__name__, e.project_version) for e in project.events] == [
        ("ProjectCreated", 1),
        ("ProjectRenamed", 6),
        ("ProjectArchived", 8),
        ("ProjectUnarchived", 9),
        ("ProjectArchived", 10),
        ("ProjectDeleted", 11),
    ]
