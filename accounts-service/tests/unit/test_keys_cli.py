"""``accounts-keys`` through its command line: a whole rotation, and what it refuses."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accounts.entrypoints.cli import keys as keys_cli
from accounts.entrypoints.cli.keys import app
from accounts.infrastructure.security.key_ring import retire_after
from accounts.infrastructure.security.key_ring_files import load_ring, write_key
from accounts.infrastructure.security.signing_key import SigningKey

runner = CliRunner()


def keys(directory: Path, command: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [command, "--dir", str(directory), *args])
    return result.exit_code, result.output


def active_kid(directory: Path) -> str:
    return load_ring(directory, retire_after=retire_after(900)).active(datetime.now(UTC)).kid


def test_init_starts_a_ring_of_one_active_key_and_keeps_an_existing_ring(tmp_path: Path) -> None:
    ring = tmp_path / "ring"
    assert keys(ring, "init")[0] == 0
    first = active_kid(ring)
    code, output = keys(ring, "init")
    assert code == 0
    assert "keeping" in output
    assert active_kid(ring) == first


def test_a_rotation_next_activate_then_retire(tmp_path: Path) -> None:
    old_key = SigningKey.generate()
    old_file = write_key(tmp_path, old_key, datetime.now(UTC) - timedelta(days=1)).name
    old = old_key.kid

    code, output = keys(tmp_path, "next")  # published, signing in ten minutes
    assert code == 0
    new, new_file = output.split()[0], Path(output.split()[-1]).name
    assert active_kid(tmp_path) == old
    code, output = keys(tmp_path, "list")
    assert f"{old}  " in output
    assert f"{new}  " in output
    assert "next" in output

    code, output = keys(tmp_path, "retire", old_file)  # it signs now
    assert (code, active_kid(tmp_path)) == (1, old)
    assert "signs tokens now" in output

    assert keys(tmp_path, "activate", new_file)[0] == 0
    assert active_kid(tmp_path) == new
    code, output = keys(tmp_path, "activate", "--", new)  # by kid (which may start with -)
    assert code == 1
    assert "not next" in output

    code, output = keys(tmp_path, "retire", "--", old)  # its tokens may be alive
    assert code == 1
    assert "--now" in output
    assert keys(tmp_path, "retire", "--now", "--", old)[0] == 0
    assert [key.kid for key in load_ring(tmp_path, retire_after=retire_after(900)).keys] == [new]


def test_prune_deletes_only_retired_keys(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    retired, previous, active = (SigningKey.generate() for _ in range(3))
    write_key(tmp_path, retired, now - timedelta(days=2))
    write_key(tmp_path, previous, now - timedelta(days=1))
    write_key(tmp_path, active, now - timedelta(minutes=1))
    code, output = keys(tmp_path, "prune")
    assert code == 0
    assert retired.kid in output
    ring = load_ring(tmp_path, retire_after=retire_after(900))
    assert [key.kid for key in ring.keys] == [previous.kid, active.kid]


def test_an_unknown_kid_is_named(tmp_path: Path) -> None:
    keys(tmp_path, "init")
    code, output = keys(tmp_path, "retire", "nope")
    assert code == 2
    assert "no key nope" in output


def test_activating_one_next_key_names_the_other_that_will_take_over(tmp_path: Path) -> None:
    write_key(tmp_path, SigningKey.generate(), datetime.now(UTC) - timedelta(days=1))
    later = write_key(tmp_path, SigningKey.generate(), datetime.now(UTC) + timedelta(hours=1))
    sooner_key = SigningKey.generate()
    sooner = write_key(tmp_path, sooner_key, datetime.now(UTC) + timedelta(minutes=30))
    result = CliRunner().invoke(app, ["activate", "--dir", str(tmp_path), sooner.name])
    assert result.exit_code == 0
    assert active_kid(tmp_path) == sooner_key.kid
    later_kid = load_ring(tmp_path, retire_after=retire_after(900)).keys
    assert any(k.kid in result.output for k in later_kid if k.kid != sooner_key.kid)
    assert "takes over" in result.output
    assert later.exists()


def test_a_second_key_for_the_same_second_is_refused_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    monkeypatch.setattr(keys_cli, "_now", lambda: now)
    write_key(tmp_path, SigningKey.generate(), now + timedelta(seconds=600))
    code, output = keys(tmp_path, "next", "--activate-in", "600")
    assert code == 1
    assert "already activates" in output
    assert len(list(tmp_path.glob("*.pem"))) == 1
