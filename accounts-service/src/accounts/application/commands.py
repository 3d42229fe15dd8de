"""Commands: what a caller (or another service's event) asks the accounts service to do."""

from dataclasses import dataclass, field
from uuid import UUID


@dataclass(frozen=True, slots=True)
class RegisterUser:
    email: str
    password: str = field(repr=False)
    client: str = ""  # the client's address, for throttling


@dataclass(frozen=True, slots=True)
class ConfirmRegistration:
    """A repeated registration (the same idempotency key and address): is it by the one who
    registered ``user_id``, i.e. with the same password?"""

    user_id: UUID
    email: str
    password: str = field(repr=False)
    client: str = ""


@dataclass(frozen=True, slots=True)
class ChangeUserEmailAddress:
    user_id: UUID
    new_email: str
    client: str = ""


@dataclass(frozen=True, slots=True)
class ChangePassword:
    user_id: UUID
    current_password: str = field(repr=False)
    new_password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class LogOut:
    """End every token of the user issued until now."""

    user_id: UUID


@dataclass(frozen=True, slots=True)
class Authenticate:
    email: str
    password: str = field(repr=False)
    client: str = ""


@dataclass(frozen=True, slots=True)
class RecordProjectChange:
    """What an event of projects-service says about one project, at one version of it."""

    project_id: UUID
    owner_id: UUID
    version: int
    name: str | None = None  # None: the event does not carry the name
    deleted: bool = False
