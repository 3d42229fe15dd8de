"""How projects' own errors are answered (everything else is the chassis's problem+json)."""

from chassis import ErrorMap, InvalidTokenError, KeysUnavailableError, MissingTokenError, Problem
from projects.domain.errors import (
    ConcurrentUpdateError,
    DomainError,
    InvalidMaximumNumberOfIncompleteTasksError,
    InvalidProjectNameError,
    InvalidTaskNameError,
    MaxIncompleteTasksNumberIsReachedError,
    ProjectAlreadyExistsError,
    ProjectArchivedError,
    ProjectHasIncompleteTasksError,
    ProjectNotArchivedError,
    ProjectNotFoundError,
    ProjectStateError,
    TaskNotFoundError,
)

# RFC 6750: a request without any token gets no error code in its challenge, a bad token does.
BEARER = {"WWW-Authenticate": "Bearer"}
INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}

# Looked up along the class hierarchy: the most specific entry wins.
ERRORS: ErrorMap = {
    InvalidProjectNameError: Problem(422, "invalid-project-name"),
    InvalidTaskNameError: Problem(422, "invalid-task-name"),
    InvalidMaximumNumberOfIncompleteTasksError: Problem(
        422, "invalid-maximum-number-of-incomplete-tasks"
    ),
    ProjectNotFoundError: Problem(404, "project-not-found"),
    TaskNotFoundError: Problem(404, "task-not-found"),
    MaxIncompleteTasksNumberIsReachedError: Problem(409, "max-incomplete-tasks-number-is-reached"),
    ProjectHasIncompleteTasksError: Problem(409, "project-has-incomplete-tasks"),
    ProjectNotArchivedError: Problem(409, "project-not-archived"),
    ProjectArchivedError: Problem(409, "project-archived"),
    ProjectStateError: Problem(409, "project-state"),
    ProjectAlreadyExistsError: Problem(409, "project-already-exists"),
    ConcurrentUpdateError: Problem(409, "concurrent-update"),
    DomainError: Problem(400, "domain-rule"),
    MissingTokenError: Problem(401, "invalid-token", BEARER),
    InvalidTokenError: Problem(401, "invalid-token", INVALID_TOKEN),
    KeysUnavailableError: Problem(503, "keys-unavailable", {"Retry-After": "10"}),
}
