"""Abstract ports the use cases need; infrastructure implements them, tests fake them."""

from accounts.application.ports.attempt_throttle import (
    Attempt,
    AttemptKind,
    AttemptThrottle,
    TooManyAttemptsError,
)
from accounts.application.ports.password_hasher import HashingBusyError, PasswordHasher
from accounts.application.ports.token_issuer import AccessToken, TokenIssuer
from accounts.application.ports.unit_of_work import UnitOfWork
from accounts.application.ports.user_projects import UserProjects
from accounts.application.ports.user_read_model import UserProjectView, UserReadModel, UserView
from accounts.application.ports.user_repository import UserRepository

__all__ = [
    "AccessToken",
    "Attempt",
    "AttemptKind",
    "AttemptThrottle",
    "HashingBusyError",
    "PasswordHasher",
    "TokenIssuer",
    "TooManyAttemptsError",
    "UnitOfWork",
    "UserProjectView",
    "UserProjects",
    "UserReadModel",
    "UserRepository",
    "UserView",
]
