"""The key ring as files, and the running service's view of it that follows their changes."""

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from accounts.infrastructure.security.key_ring import NoActiveKeyError, retire_after
from accounts.infrastructure.security.key_ring_files import (
    load_ring,
    move_activation,
    write_key,
)
from accounts.infrastructure.security.live_key_ring import LiveKeyRing
from accounts.infrastructure.security.signing_key import SigningKey

T0 = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
KEEP = retire_after(900)


class Clocks:
    """A monotonic clock and a wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.monotonic = 0.0
        self.wall = T0

    def advance(self, seconds: float) -> None:
        self.monotonic += seconds
        self.wall += timedelta(seconds=seconds)


def live(directory: Path, clocks: Clocks, reload_interval: float = 10.0) -> LiveKeyRing:
    return LiveKeyRing(
        lambda: load_ring(directory, retire_after=KEEP),
        reload_interval=reload_interval,
        clock=lambda: clocks.monotonic,
        now=lambda: clocks.wall,
    )


def test_a_key_file_is_named_after_its_activation_private_and_read_back(tmp_path: Path) -> None:
    key = SigningKey.generate()
    path = write_key(tmp_path, key, T0)
    assert path.name == "20261130T200000Z.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no draft left behind
    ring = load_ring(tmp_path, retire_after=KEEP)
    assert [(k.kid, k.activates_at) for k in ring.keys] == [(key.kid, T0)]


def test_a_key_is_never_overwritten(tmp_path: Path) -> None:
    first = SigningKey.generate()
    write_key(tmp_path, first, T0)
    with pytest.raises(FileExistsError):
        write_key(tmp_path, SigningKey.generate(), T0)
    assert [k.kid for k in load_ring(tmp_path, retire_after=KEEP).keys] == [first.kid]


def test_dot_files_and_other_files_are_ignored_but_a_misnamed_key_is_an_error(
    tmp_path: Path,
) -> None:
    write_key(tmp_path, SigningKey.generate(), T0)
    (tmp_path / "..data").mkdir()  # as in a Kubernetes Secret volume
    (tmp_path / ".half-written.pem").write_text("junk")
    (tmp_path / "README").write_text("the ring")
    assert len(load_ring(tmp_path, retire_after=KEEP).keys) == 1
    (tmp_path / "private-key.pem").write_bytes(SigningKey.generate().to_pem())
    with pytest.raises(ValueError, match=r"private-key\.pem is not named after its activation"):
        load_ring(tmp_path, retire_after=KEEP)


def test_moving_the_activation_renames_the_file(tmp_path: Path) -> None:
    key = SigningKey.generate()
    moved = move_activation(write_key(tmp_path, key, T0 + timedelta(days=1)), T0)
    assert moved.name == "20261130T200000Z.pem"
    assert [p.name for p in tmp_path.iterdir()] == [moved.name]


def test_the_live_ring_follows_the_files_at_its_reload_interval(tmp_path: Path) -> None:
    clocks = Clocks()
    old, new = SigningKey.generate(), SigningKey.generate()
    write_key(tmp_path, old, T0 - timedelta(days=1))
    ring = live(tmp_path, clocks)
    assert ring.signing_key().kid == old.kid

    next_file = write_key(tmp_path, new, T0 + timedelta(days=1))  # published ahead
    assert [k.kid for k in ring.published()] == [old.kid]  # not reloaded yet
    clocks.advance(10)
    assert [k.kid for k in ring.published()] == [old.kid, new.kid]
    assert ring.signing_key().kid == old.kid

    move_activation(next_file, clocks.wall)  # activate it now
    clocks.advance(10)
    assert ring.signing_key().kid == new.kid
    assert [k.kid for k in ring.published()] == [old.kid, new.kid]

    clocks.advance(KEEP.total_seconds())  # the old key's last token has expired
    assert [k.kid for k in ring.published()] == [new.kid]
    assert ring.signing_key().kid == new.kid


async def test_the_live_ring_verifies_only_with_published_keys(tmp_path: Path) -> None:
    clocks = Clocks()
    old, new = SigningKey.generate(), SigningKey.generate()
    old_file = write_key(tmp_path, old, T0 - timedelta(days=1))
    write_key(tmp_path, new, T0 - timedelta(seconds=1))
    ring = live(tmp_path, clocks)
    assert await ring.key(old.kid) is not None
    old_file.unlink()  # retired early (a leaked key)
    clocks.advance(10)
    assert await ring.key(old.kid) is None
    assert await ring.key(new.kid) is not None
    assert (ring.knows(old.kid), ring.knows(new.kid)) == (False, True)


def test_a_broken_ring_does_not_start_but_a_later_breakage_keeps_the_last_good_one(
    tmp_path: Path,
) -> None:
    clocks = Clocks()
    write_key(tmp_path / "future", SigningKey.generate(), T0 + timedelta(days=1))
    with pytest.raises(NoActiveKeyError):
        live(tmp_path / "future", clocks)

    key = SigningKey.generate()
    key_file = write_key(tmp_path, key, T0 - timedelta(days=1))
    ring = live(tmp_path, clocks)
    key_file.unlink()  # nothing left to sign with
    (tmp_path / "20261130T190000Z.pem").write_text("not a key")
    clocks.advance(10)
    assert ring.signing_key().kid == key.kid
