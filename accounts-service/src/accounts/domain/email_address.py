"""EmailAddress value object: validated and normalised on construction."""

from __future__ import annotations

import re
from dataclasses import dataclass

from accounts.domain.errors import InvalidEmailAddressError

MAX_LENGTH = 254
# Used with fullmatch: "$" alone would accept a trailing newline ("ada\n@example.com").
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")
_DOMAIN_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


@dataclass(frozen=True, slots=True)
class EmailAddress:
    """An address in its canonical form: trimmed, domain in lower case.

    The local part keeps its letter case (RFC 5321 lets servers treat it as case-sensitive);
    uniqueness is still enforced case-insensitively, by the repository.
    """

    value: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _normalise(self.value))

    def __str__(self) -> str:
        return self.value

    @property
    def key(self) -> str:
        """What makes two addresses the same one: the address in lower case. This is the one
        home of the rule "an address is taken whatever its letter case": ``same_as`` compares
        keys, the repository looks users up by key, the unique index is on the key
        (``lower(email)``; the address is ASCII, so SQL's ``lower`` agrees with this one), and
        the login throttle counts an account's failures by key (``key_of``)."""
        return self.value.lower()

    def same_as(self, other: EmailAddress) -> bool:
        return self.key == other.key

    @staticmethod
    def key_of(text: str) -> str:
        """The key of ``text`` whether or not it is a valid address: the login throttle counts
        failures per key, for unknown and malformed addresses too."""
        try:
            return EmailAddress(text).key
        except InvalidEmailAddressError:
            return text.strip().lower()


def _normalise(raw: str) -> str:
    text = raw.strip()
    if not text or len(text) > MAX_LENGTH or text.count("@") != 1:
        raise InvalidEmailAddressError(f"{raw!r} is not a valid email address.")
    local, domain = text.split("@")
    labels = domain.split(".")
    if (
        not local
        or len(local) > 64
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
        or not _LOCAL_PART.fullmatch(local)
        or len(labels) < 2
        or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels)
    ):
        raise InvalidEmailAddressError(f"{raw!r} is not a valid email address.")
    return f"{local}@{domain.lower()}"
