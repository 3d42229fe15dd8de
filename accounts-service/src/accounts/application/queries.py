"""Queries: what a caller asks to see. ``user_id`` is the caller; nobody sees others' data."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class GetUser:
    user_id: UUID
