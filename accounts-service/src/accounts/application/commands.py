"""Commands: what a caller asks the accounts service to do."""

from dataclasses import dataclass, field
from uuid import UUID


@dataclass(frozen=True, slots=True)
class RegisterUser:
    email: str
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class ChangeUserEmailAddress:
    user_id: UUID
    new_email: str


@dataclass(frozen=True, slots=True)
class Authenticate:
    email: str
    password: str = field(repr=False)
