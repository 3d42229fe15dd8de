"""Talks to Taskboard only through its public HTTP API, as any client would."""

from taskboard_e2e.client import ApiError, TaskboardClient

__all__ = ["ApiError", "TaskboardClient"]
