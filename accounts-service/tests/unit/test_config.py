from pathlib import Path

import pytest
from pydantic import ValidationError

from accounts.bootstrap import bootstrap
from accounts.config import Settings


def test_outside_dev_the_service_refuses_to_start_without_a_signing_key() -> None:
    with pytest.raises(ValidationError, match="JWT_PRIVATE_KEY"):
        Settings(
            environment="production",
            jwt_private_key=None,
            jwt_private_key_file=None,
            signing_keys_dir=None,
        )


def test_a_key_file_that_is_not_there_is_named_in_the_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    with pytest.raises(ValidationError, match=r"nope\.pem does not exist"):
        Settings(
            environment="production",
            jwt_private_key=None,
            jwt_private_key_file=missing,
            signing_keys_dir=None,
        )


def test_a_key_ring_directory_counts_as_a_signing_key_outside_dev(tmp_path: Path) -> None:
    settings = Settings(
        environment="production",
        jwt_private_key=None,
        jwt_private_key_file=None,
        signing_keys_dir=tmp_path,
    )
    assert settings.signing_keys_dir == tmp_path


def test_a_key_ring_directory_that_is_not_there_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"SIGNING_KEYS_DIR=.*nope is not a directory"):
        Settings(
            environment="production", jwt_private_key_file=None, signing_keys_dir=tmp_path / "nope"
        )


def test_a_key_ring_directory_and_a_single_key_together_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="not both"):
        Settings(
            environment="production",
            jwt_private_key_file=tmp_path / "key.pem",
            signing_keys_dir=tmp_path,
        )


def test_in_dev_a_missing_key_ring_stops_the_service_not_the_migrations(tmp_path: Path) -> None:
    settings = Settings(
        environment="dev", jwt_private_key_file=None, signing_keys_dir=tmp_path / "nope"
    )
    assert settings.database_url  # what the migrations read
    with pytest.raises(ValueError, match="nope is not a directory"):
        bootstrap(settings)
