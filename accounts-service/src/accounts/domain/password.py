"""Password value object: a plain-text secret that satisfies the length rule."""

from dataclasses import dataclass, field

from accounts.domain.errors import InvalidPasswordError

MIN_BYTES = 8
MAX_BYTES = 72  # bcrypt ignores (bcrypt 5: refuses) anything longer


@dataclass(frozen=True, slots=True)
class Password:
    """Never printed: ``repr`` hides the secret."""

    secret: str = field(repr=False)

    def __post_init__(self) -> None:
        size = len(self.secret.encode("utf-8"))
        if size < MIN_BYTES:
            raise InvalidPasswordError(f"The password must be at least {MIN_BYTES} bytes long.")
        if size > MAX_BYTES:
            raise InvalidPasswordError(
                f"The password must be at most {MAX_BYTES} bytes long in UTF-8 "
                f"(it is {size}; accented letters take two bytes or more)."
            )
