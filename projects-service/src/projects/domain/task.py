"""The Task entity: a numbered item inside one project."""

from __future__ import annotations

from datetime import datetime

from projects.domain.names import TaskName


class Task:
    """Identified by its number within the project; changed only through its Project."""

    def __init__(
        self, *, number: int, name: TaskName, completed_at: datetime | None = None
    ) -> None:
        self.number = number
        self.name = name
        self.completed_at = completed_at

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None

    def complete(self, now: datetime) -> bool:
        """Mark done; True when that changed anything (the first completion time is kept)."""
        if self.completed_at is not None:
            return False
        self.completed_at = now
        return True

    def incomplete(self) -> bool:
        """Re-open; True when that changed anything."""
        if self.completed_at is None:
            return False
        self.completed_at = None
        return True

    def __repr__(self) -> str:
        return f"Task(number={self.number}, name={self.name.value!r}, done={self.is_completed})"
