"""Every domain error has a deliberate HTTP status: 404 missing, 409 rule, 422 bad input."""

import pytest

from chassis.http.problems import lookup
from projects.domain import errors
from projects.entrypoints.http.error_map import ERRORS

EXPECTED = {
    errors.InvalidProjectNameError: 422,
    errors.InvalidTaskNameError: 422,
    errors.InvalidMaximumNumberOfIncompleteTasksError: 422,
    errors.ProjectNotFoundError: 404,
    errors.TaskNotFoundError: 404,
    errors.MaxIncompleteTasksNumberIsReachedError: 409,
    errors.ProjectHasIncompleteTasksError: 409,
    errors.ProjectNotArchivedError: 409,
    errors.ProjectArchivedError: 409,
    errors.ConcurrentUpdateError: 409,
    errors.ProjectAlreadyExistsError: 409,
}


@pytest.mark.parametrize(("error", "status"), EXPECTED.items())
def test_domain_error_status(error: type[errors.DomainError], status: int) -> None:
    entry = lookup(ERRORS, error("x"))
    assert entry is not None
    assert entry.status == status


def test_no_domain_error_is_left_unmapped() -> None:
    defined = {
        cls
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.DomainError)
    } - {errors.DomainError}
    assert defined <= set(ERRORS)
