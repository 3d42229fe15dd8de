"""Domain errors, each named after the rule it protects."""


class DomainError(Exception):
    """Base of every rule violation in the accounts domain."""


class InvalidEmailAddressError(DomainError, ValueError):
    """The text is not a usable email address."""


class InvalidPasswordError(DomainError, ValueError):
    """The password breaks the length rule (8..72 bytes in UTF-8, bcrypt's limit)."""


class EmailAddressAlreadyTakenError(DomainError):
    """Another account already uses this address, in any letter case."""

    def __init__(self, email: str | None = None) -> None:
        what = f"The email address {email}" if email else "This email address"
        super().__init__(f"{what} is already taken.")
        self.email = email


class UserNotFoundError(DomainError):
    """No user has this id."""


class InvalidCredentialsError(DomainError):
    """Unknown email or wrong password: deliberately one error for both."""


class ConcurrentUpdateError(DomainError):
    """Someone else changed the same user at the same time; the caller may retry."""
