"""Deployment files checked against the code, without a Docker engine (none runs here or in CI)."""

import pytest

from .stack import IN_CI


def unavailable(reason: str) -> None:
    """A tool or file the check needs is missing: skip on a developer's machine, fail in CI."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing prerequisite is a failure, not a skip)")
    pytest.skip(reason)
