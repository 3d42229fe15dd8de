"""Where real services come from: the environment, else testcontainers, else skip (fail in CI)."""

import os

import pytest


def require_service(name: str, reason: str) -> None:
    """Skip a test that cannot get ``name`` locally; in CI (``CI=true``) fail instead."""
    message = f"{name} is not available: {reason}"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message + " (CI must provide it)", pytrace=False)
    pytest.skip(message)
