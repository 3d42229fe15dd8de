"""The email pattern in the OpenAPI document says what EmailAddress checks."""

import re

import pytest

from accounts.domain.email_address import EmailAddress
from accounts.domain.errors import InvalidEmailAddressError
from accounts.entrypoints.http.schemas import EMAIL_SCHEMA

PATTERN = re.compile(str(EMAIL_SCHEMA["pattern"]))


@pytest.mark.parametrize(
    "text",
    [
        "ada@example.com",
        " Ada+tasks@Mail.Example.co.uk\t",
        "ada@example.com\x1c",  # Python strips it, so the address is fine
        "\ufeffada@example.com",  # ECMAScript's \s would take it; Python keeps it: refused
        "a b@example.com",
        "ada@exa_mple.com",
        ".ada@example.com",
        "ada..lovelace@example.com",
        "ada@-example.com",
        "ada@example",
        "ad\u202ea@example.com",
    ],
)
def test_the_pattern_accepts_exactly_the_addresses_the_domain_accepts(text: str) -> None:
    try:
        EmailAddress(text)
        accepted = True
    except InvalidEmailAddressError:
        accepted = False
    assert bool(PATTERN.search(text)) == accepted
