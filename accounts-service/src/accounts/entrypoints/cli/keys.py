"""``accounts-keys``: the signing-key ring in SIGNING_KEYS_DIR: list it, start it, add the next
key, activate or retire a key, drop the files of retired keys.

It only writes files; every accounts replica reads the directory again within
SIGNING_KEYS_RELOAD_SECONDS and works out from the activation instants which key signs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from accounts.infrastructure.security.key_ring import KeyRing, KeyState, RingKey, retire_after
from accounts.infrastructure.security.key_ring_files import (
    move_activation,
    read_ring_keys,
    write_key,
)
from accounts.infrastructure.security.signing_key import SigningKey

DEFAULT_LEAD_SECONDS = 600
"""How far ahead ``next`` activates a new key by default: twice projects' JWKS cache (300 s),
so every verifier has fetched it before the first token it signs."""

app = typer.Typer(
    help="accounts' signing keys (SIGNING_KEYS_DIR): rotate them without downtime.",
    no_args_is_help=True,
    add_completion=False,
)
Directory = Annotated[
    Path,
    typer.Option(
        "--dir", envvar="SIGNING_KEYS_DIR", help="The key ring directory.", file_okay=False
    ),
]
TokenTtl = Annotated[
    int,
    typer.Option(
        envvar="ACCESS_TOKEN_TTL_SECONDS", min=1, help="Access-token lifetime, as accounts has it."
    ),
]
KeyName = Annotated[
    str,
    typer.Argument(
        help="The key's file name (20261130T200000Z.pem) or its kid, as `list` shows them; "
        "a kid starting with '-' after a `--`."
    ),
]


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _ring(directory: Path, ttl: int) -> tuple[KeyRing, dict[str, Path]]:
    keys = read_ring_keys(directory) if directory.exists() else {}
    files = {key.kid: path for path, key in keys.items()}
    return KeyRing(list(keys.values()), retire_after=retire_after(ttl)), files


def _find(ring: KeyRing, files: dict[str, Path], name: str) -> tuple[RingKey, Path]:
    for key in ring.keys:
        path = files[key.kid]
        if name in (key.kid, path.name, path.stem):
            return key, path
    typer.echo(f"no key {name} in the ring", err=True)
    raise typer.Exit(2)


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


@app.command("list")
def list_(directory: Directory, token_ttl_seconds: TokenTtl = 900) -> None:
    """Every key, oldest first: kid, activation, state now.

    States: next (published, not signing yet), active (signs), previous (published while its
    tokens may be alive; the line says until when), retired (no longer published)."""
    ring, files = _ring(directory, token_ttl_seconds)
    now = _now()
    for index, key in enumerate(ring.keys):
        state = ring.state(key, now)
        line = f"{key.kid}  {key.activates_at.isoformat()}  {state}"
        if state is KeyState.PREVIOUS:
            line += f" until {(ring.keys[index + 1].activates_at + ring.retire_after).isoformat()}"
        typer.echo(f"{line}  {files[key.kid].name}")


@app.command()
def init(directory: Directory) -> None:
    """Start a ring with one key, active at once (unless the directory holds keys)."""
    if directory.exists() and read_ring_keys(directory):
        typer.echo(f"keeping the key ring in {directory}")
        return
    path = write_key(directory, SigningKey.generate(), _now())
    typer.echo(f"wrote a new Ed25519 signing key, active now, to {path}")


@app.command("next")
def next_(
    directory: Directory,
    activate_in: Annotated[
        int,
        typer.Option(min=0, help="Seconds from now; at least the verifiers' JWKS cache time."),
    ] = DEFAULT_LEAD_SECONDS,
) -> None:
    """Add a new key: published at once, signing ACTIVATE_IN seconds later."""
    key = SigningKey.generate()
    activates_at = _now() + timedelta(seconds=activate_in)
    try:
        path = write_key(directory, key, activates_at)
    except FileExistsError:
        raise _taken(activates_at) from None
    typer.echo(f"{key.kid}  activates {activates_at.isoformat()}  {path}")


def _taken(instant: datetime) -> typer.Exit:
    return _fail(
        f"a key of the ring already activates at {instant.isoformat()} (one key per second): "
        "try again in a second"
    )


@app.command()
def activate(
    name: KeyName,
    directory: Directory,
    token_ttl_seconds: TokenTtl = 900,
) -> None:
    """Let a next key sign from now on.

    Only once the key has been published for longer than the verifiers' JWKS cache time:
    a verifier that has not fetched it yet refuses its tokens until it does."""
    ring, files = _ring(directory, token_ttl_seconds)
    key, path = _find(ring, files, name)
    kid, now = key.kid, _now()
    if ring.state(key, now) is not KeyState.NEXT:
        raise _fail(f"{kid} is {ring.state(key, now)}, not next: nothing to activate")
    # After the key signing now, even within the same second, or it would not take over.
    signing = [other.activates_at for other in ring.keys if other.activates_at <= now]
    activates_at = max([now, *(instant + timedelta(seconds=1) for instant in signing)])
    try:
        moved = move_activation(path, activates_at)
    except FileExistsError:
        raise _taken(activates_at) from None
    typer.echo(f"{kid}  activates {activates_at.isoformat()}  {moved}")
    for other in ring.keys:
        if other.kid != kid and ring.state(other, now) is KeyState.NEXT:
            typer.echo(
                f"note: {other.kid} is next too and takes over at "
                f"{other.activates_at.isoformat()}; retire it if it should not",
                err=True,
            )


@app.command()
def retire(
    name: KeyName,
    directory: Directory,
    token_ttl_seconds: TokenTtl = 900,
    now: Annotated[
        bool,
        typer.Option("--now", help="Also while its tokens may be alive: they stop working."),
    ] = False,
) -> None:
    """Delete a key from the ring (it is no longer published).

    Never the active key; a previous one only with --now (a leaked key), since tokens it
    signed may still be alive and are refused from then on."""
    ring, files = _ring(directory, token_ttl_seconds)
    key, path = _find(ring, files, name)
    kid, state = key.kid, ring.state(key, _now())
    if state is KeyState.ACTIVE:
        raise _fail(f"{kid} signs tokens now: add and activate the next key first")
    if state is KeyState.PREVIOUS and not now:
        raise _fail(f"{kid} may have signed tokens still alive; --now ends them too")
    path.unlink()
    typer.echo(f"retired {kid} (was {state}); deleted {path}")


@app.command()
def prune(directory: Directory, token_ttl_seconds: TokenTtl = 900) -> None:
    """Delete the files of retired keys (no longer published anyway)."""
    ring, files = _ring(directory, token_ttl_seconds)
    now = _now()
    for key in ring.keys:
        if ring.state(key, now) is KeyState.RETIRED:
            files[key.kid].unlink()
            typer.echo(f"deleted {files[key.kid]} ({key.kid}, retired)")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
