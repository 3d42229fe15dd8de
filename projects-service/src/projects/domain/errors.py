"""Domain errors, each named after the rule it protects."""


class DomainError(Exception):
    """Base of every rule violation in the projects domain."""


class InvalidProjectNameError(DomainError, ValueError):
    """A project name must be 4 to 32 characters long."""


class InvalidTaskNameError(DomainError, ValueError):
    """A task name must be 4 to 32 characters long."""


class InvalidMaximumNumberOfIncompleteTasksError(DomainError, ValueError):
    """The limit of incomplete tasks is a whole number of at least 1, or none at all."""


class ProjectNotFoundError(DomainError):
    """No project with this id exists for the caller (missing, deleted, or someone else's)."""


class ProjectAlreadyExistsError(DomainError):
    """A project with this id exists already (deleted ones included): ids are never reused."""


class TaskNotFoundError(DomainError):
    """The project has no task with this number."""


class ProjectStateError(DomainError):
    """The project's current state forbids the change (a conflict, not bad input)."""


class MaxIncompleteTasksNumberIsReachedError(ProjectStateError):
    """One more incomplete task would exceed the project's limit."""


class ProjectHasIncompleteTasksError(ProjectStateError):
    """Only a project whose every task is complete can be archived."""


class ProjectNotArchivedError(ProjectStateError):
    """Only an archived project can be deleted."""


class ProjectArchivedError(ProjectStateError):
    """The tasks of an archived project cannot change; unarchive it first."""


class ConcurrentUpdateError(DomainError):
    """Someone else changed the same project at the same time; the caller may retry."""
