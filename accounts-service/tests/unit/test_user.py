from datetime import UTC, datetime

import pytest

from accounts.domain.email_address import EmailAddress
from accounts.domain.errors import ConcurrentUpdateError
from accounts.domain.events import UserAccountCreated, UserEmailChanged
from accounts.domain.user import User


def test_registering_raises_account_created_at_version_1() -> None:
    user = User.register(email=EmailAddress("ada@example.com"), password_hash="h")

    assert user.version == 1
    [event] = user.events
    assert isinstance(event, UserAccountCreated)
    assert (event.user_id, event.user_version, event.email) == (user.id, 1, "ada@example.com")


def test_changing_email_bumps_version_and_records_both_addresses() -> None:
    user = User.register(email=EmailAddress("ada@example.com"), password_hash="h")
    user.events.clear()

    user.change_email(EmailAddress("ada@lovelace.org"))

    assert user.email == EmailAddress("ada@lovelace.org")
    assert user.version == 2
    [event] = user.events
    assert isinstance(event, UserEmailChanged)
    assert (event.old_email, event.new_email, event.user_version) == (
        "ada@example.com",
        "ada@lovelace.org",
        2,
    )


def test_changing_to_the_same_address_changes_nothing() -> None:
    user = User.register(email=EmailAddress("ada@example.com"), password_hash="h")
    user.events.clear()

    user.change_email(EmailAddress("ada@EXAMPLE.com"))

    assert user.version == 1
    assert user.events == []


def test_a_password_is_replaced_only_if_it_is_the_one_proven() -> None:
    user = User.register(email=EmailAddress("ada@example.com"), password_hash="first")
    with pytest.raises(ConcurrentUpdateError):
        user.change_password("new", datetime.now(UTC), proven="an older one")
    assert (user.password_hash, user.version) == ("first", 1)

    user.change_password("new", datetime.now(UTC), proven="first")
    assert (user.password_hash, user.version) == ("new", 2)
