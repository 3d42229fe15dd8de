import pytest

from accounts.domain.errors import InvalidPasswordError
from accounts.domain.password import Password


@pytest.mark.parametrize("secret", ["12345678", "x" * 72, "é" * 36])
def test_passwords_of_8_to_72_bytes_are_accepted(secret: str) -> None:
    assert Password(secret).secret == secret


@pytest.mark.parametrize("secret", ["", "1234567", "x" * 73, "é" * 37])
def test_passwords_outside_8_to_72_bytes_are_refused(secret: str) -> None:
    with pytest.raises(InvalidPasswordError):
        Password(secret)


def test_the_secret_never_shows_in_repr() -> None:
    assert "hunter22" not in repr(Password("hunter22"))
