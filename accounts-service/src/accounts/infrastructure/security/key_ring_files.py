"""The key ring as a directory of PEM files (``SIGNING_KEYS_DIR``), one Ed25519 private key per
file, named after its activation instant in UTC: ``20261130T200000Z.pem``.

A directory suits a Kubernetes Secret (one Secret key per file) and a Compose bind mount alike.
Names starting with a dot (Kubernetes' ``..data`` links, half-written files) and files not
ending in ``.pem`` are ignored; a ``.pem`` file whose name is not an instant is an error, so a
misnamed key never silently drops out of the ring. Retiring a key early is deleting its file.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from accounts.infrastructure.security.key_ring import KeyRing, RingKey
from accounts.infrastructure.security.signing_key import SigningKey

SUFFIX = ".pem"
_NAME_FORMAT = "%Y%m%dT%H%M%SZ"


def file_name(activates_at: datetime) -> str:
    return activates_at.astimezone(UTC).strftime(_NAME_FORMAT) + SUFFIX


def activation_of(path: Path) -> datetime:
    try:
        return datetime.strptime(path.name.removesuffix(SUFFIX), _NAME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(
            f"{path} is not named after its activation instant (like 20261130T200000Z.pem)."
        ) from None


def key_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise ValueError(f"SIGNING_KEYS_DIR={directory} is not a directory.")
    return sorted(
        path
        for path in directory.iterdir()
        if not path.name.startswith(".") and path.name.endswith(SUFFIX) and path.is_file()
    )


def read_ring_keys(directory: Path) -> dict[Path, RingKey]:
    """Every key file of ``directory`` with the key it holds."""
    return {
        path: RingKey(SigningKey.from_pem(path.read_bytes()), activation_of(path))
        for path in key_files(directory)
    }


def load_ring(directory: Path, *, retire_after: timedelta) -> KeyRing:
    return KeyRing(list(read_ring_keys(directory).values()), retire_after=retire_after)


def write_key(directory: Path, key: SigningKey, activates_at: datetime) -> Path:
    """Add ``key`` to the ring (mode 0600); it appears whole or not at all, never overwrites."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = directory / file_name(activates_at)
    draft = directory / f".{target.name}.{os.getpid()}.draft"
    draft.touch(mode=0o600)
    try:
        draft.write_bytes(key.to_pem())
        os.link(draft, target)  # fails if the name is taken: a key is never replaced
    finally:
        draft.unlink()
    return target


def move_activation(path: Path, activates_at: datetime) -> Path:
    """Give the key in ``path`` another activation instant (its file a new name)."""
    target = path.with_name(file_name(activates_at))
    os.link(path, target)
    path.unlink()
    return target
