"""Name value objects of projects and tasks: validated on construction."""

import unicodedata
from dataclasses import dataclass

from projects.domain.errors import InvalidProjectNameError, InvalidTaskNameError

MIN_LENGTH = 4
MAX_LENGTH = 32
# Control characters and lone surrogates (PostgreSQL cannot store NUL or a lone surrogate at
# all), and format characters: zero-width ones render as nothing and the bidi controls
# (U+202E, U+2066, ...) reorder what a person reads.
_FORBIDDEN_CATEGORIES = {"Cc", "Cs", "Cf"}


def _checked(raw: object, error: type[ValueError], what: str) -> str:
    if not isinstance(raw, str):
        raise error(f"The {what} name must be text.")
    # Surrounding whitespace is dropped so "   ab   " cannot pass as a 4-character name.
    text = raw.strip()
    if not MIN_LENGTH <= len(text) <= MAX_LENGTH:
        raise error(
            f"The {what} name must be {MIN_LENGTH} to {MAX_LENGTH} characters long "
            f"(it is {len(text)})."
        )
    if any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in text):
        raise error(f"The {what} name must not contain control characters or invisible ones.")
    return text


@dataclass(frozen=True, slots=True)
class ProjectName:
    """A project's name: 4..32 characters once surrounding whitespace is trimmed."""

    value: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _checked(self.value, InvalidProjectNameError, "project"))

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class TaskName:
    """A task's name: 4..32 characters once surrounding whitespace is trimmed."""

    value: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _checked(self.value, InvalidTaskNameError, "task"))

    def __str__(self) -> str:
        return self.value
