import pytest

from accounts.domain.email_address import EmailAddress
from accounts.domain.errors import InvalidEmailAddressError


def test_domain_is_lower_cased_and_spaces_trimmed() -> None:
    assert EmailAddress("  Ada.Lovelace@Example.COM ").value == "Ada.Lovelace@example.com"


def test_addresses_differing_only_in_case_are_the_same_account() -> None:
    assert EmailAddress("ADA@example.com").same_as(EmailAddress("ada@EXAMPLE.com"))
    assert not EmailAddress("ada@example.com").same_as(EmailAddress("bob@example.com"))


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "plainaddress",
        "@example.com",
        "ada@",
        "ada@example",
        "ada@@example.com",
        "ada@exa mple.com",
        "ada..lovelace@example.com",
        ".ada@example.com",
        "ada@-example.com",
        "ada@example..com",
        "a" * 65 + "@example.com",
        "ada@" + "a" * 250 + ".com",
        "ädä@example.com",
    ],
)
def test_invalid_addresses_are_refused(raw: str) -> None:
    with pytest.raises(InvalidEmailAddressError):
        EmailAddress(raw)


def test_plus_addressing_and_subdomains_are_accepted() -> None:
    assert EmailAddress("ada+tasks@mail.example.co.uk").value == "ada+tasks@mail.example.co.uk"


@pytest.mark.parametrize(
    "raw", ["ada\n@example.com", "ada@example\n.com", "ada@exa\nmple.com", "ad\u202ea@example.com"]
)
def test_a_line_break_or_an_invisible_character_inside_is_refused(raw: str) -> None:
    with pytest.raises(InvalidEmailAddressError):
        EmailAddress(raw)


def test_one_key_per_address_whatever_its_letter_case_valid_or_not() -> None:
    assert EmailAddress(" Ada@Example.COM ").key == "ada@example.com"
    assert EmailAddress.key_of("ADA@example.com") == EmailAddress("ada@EXAMPLE.com").key
    assert EmailAddress("Ada@example.com").same_as(EmailAddress("aDA@example.com"))
    assert EmailAddress.key_of("  Not An Address ") == "not an address"
