"""Request and response bodies of the projects API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from pydantic.config import JsonDict

from projects.application.ports import ProjectPage, ProjectView, TaskView
from projects.entrypoints.http.dependencies import INT4_MAX

NAME_RULE = "4 to 32 characters once surrounding whitespace is trimmed."
# Longer text is refused before it reaches the domain; the domain's rule is the real one.
NAME_GUARD = 1000

# The domain's rule said in the document (``projects.domain.names``): 4 to 32 characters once
# the whitespace ``str.strip`` drops is trimmed, none of them a control (Cc) or format (Cf)
# character. Written out, not ``\s``: ECMAScript's ``\s`` also takes U+FEFF, a format character
# Python does not strip. A unit test holds both lists to ``unicodedata``. Characters past U+FFFF
# are written as themselves (a JSON Schema pattern is ECMAScript, read with the ``u`` flag;
# Python's ``re`` reads them too). Lone surrogates (Cs), which the domain refuses as well, are
# left out: no UTF-8 text holds one, and a class naming them breaks Rust's and Go's engines.
STRIPPED = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
FORBIDDEN = (
    r"\x00-\x1f\x7f-\x9f"  # Cc
    r"\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"  # Cf in the BMP
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"  # Cf beyond it
)
_EDGE = f"[^{STRIPPED}{FORBIDDEN}]"
_INNER = f"[^{FORBIDDEN}]"
NAME_SCHEMA: JsonDict = {
    "pattern": f"^[{STRIPPED}]*{_EDGE}{_INNER}{{2,30}}{_EDGE}[{STRIPPED}]*$",
    "minLength": 4,
}
Name = Annotated[
    StrictStr,
    Field(max_length=NAME_GUARD, description=NAME_RULE, json_schema_extra=NAME_SCHEMA),
]
Limit = Annotated[
    StrictInt,
    Field(ge=1, le=INT4_MAX, description="At most this many incomplete tasks; null: no limit."),
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateProjectBody(_Body):
    name: Name = Field(examples=["Garden"])
    maximum_number_of_incomplete_tasks: Limit | None = None


class UpdateProjectBody(_Body):
    """Left out, ``maximum_number_of_incomplete_tasks`` keeps its value; null removes the limit."""

    name: Name = Field(examples=["Vegetable garden"])
    maximum_number_of_incomplete_tasks: Limit | None = None


class CreateTaskBody(_Body):
    name: Name = Field(examples=["Plant tomatoes"])


class ProjectOut(BaseModel):
    id: UUID
    name: str
    maximum_number_of_incomplete_tasks: int | None
    archived: bool
    archived_at: datetime | None
    number_of_tasks: int
    number_of_completed_tasks: int
    number_of_incomplete_tasks: int

    @classmethod
    def of(cls, view: ProjectView) -> ProjectOut:
        return cls(
            id=view.id,
            name=view.name,
            maximum_number_of_incomplete_tasks=view.maximum_number_of_incomplete_tasks,
            archived=view.archived,
            archived_at=view.archived_at,
            number_of_tasks=view.number_of_tasks,
            number_of_completed_tasks=view.number_of_completed_tasks,
            number_of_incomplete_tasks=view.number_of_incomplete_tasks,
        )


class ProjectListOut(BaseModel):
    projects: list[ProjectOut]
    total: int = Field(description="How many projects the caller has in all.")
    limit: int
    offset: int

    @classmethod
    def of(cls, page: ProjectPage) -> ProjectListOut:
        return cls(
            projects=[ProjectOut.of(view) for view in page.projects],
            total=page.total,
            limit=page.limit,
            offset=page.offset,
        )


class TaskOut(BaseModel):
    number: int
    name: str
    completed_at: datetime | None

    @classmethod
    def of(cls, view: TaskView) -> TaskOut:
        return cls(number=view.number, name=view.name, completed_at=view.completed_at)


class TaskListOut(BaseModel):
    tasks: list[TaskOut]
