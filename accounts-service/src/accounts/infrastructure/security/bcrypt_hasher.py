"""PasswordHasher with bcrypt, on the chassis's bounded CPU pool so the event loop stays free."""

import bcrypt

from accounts.application.ports import HashingBusyError, PasswordHasher
from accounts.domain.password import Password
from chassis import CpuPoolFullError, CpuWorkPool

REGISTRATIONS_BUSY = "Too many registrations at once; try again shortly."
CHECKS_BUSY = "Too many password checks at once; try again shortly."


class BcryptPasswordHasher(PasswordHasher):
    """bcrypt releases the GIL, so one thread per core gives the machine's full hashing rate
    while requests that need no hashing keep being served by the event loop.

    Checks (logins) are ``pool``'s urgent work, hashes (registrations, new passwords) its
    regular work, so a registration storm leaves logins their share and a login waits for one
    check at most; when the pool is full ``HashingBusyError`` is raised at once. The pool's
    threads should run niced: each check is a quarter second of pure CPU."""

    def __init__(self, *, pool: CpuWorkPool, rounds: int = 12) -> None:
        self._rounds = rounds
        self._pool = pool
        # Compared against when the email is unknown, so both answers cost one checkpw.
        self._dummy_hash = bcrypt.hashpw(b"dummy-password", bcrypt.gensalt(rounds))

    @property
    def pending(self) -> int:
        """Checks and hashes waiting for a thread or running (what the queue bound counts)."""
        return self._pool.pending

    @property
    def waiting(self) -> int:
        """Checks and hashes waiting for a thread."""
        return self._pool.waiting

    def full_for_hashes(self) -> bool:
        return self._pool.full_for_regular()

    async def hash(self, password: Password) -> str:
        secret = password.secret.encode("utf-8")
        salt = bcrypt.gensalt(self._rounds)
        try:
            hashed = await self._pool.run(bcrypt.hashpw, secret, salt, urgent=False)
        except CpuPoolFullError as error:
            busy = REGISTRATIONS_BUSY if error.regular_share else CHECKS_BUSY
            raise HashingBusyError(busy) from error
        return hashed.decode("ascii")

    async def verify(self, secret: str, password_hash: str | None) -> bool:
        candidate = secret.encode("utf-8")
        if len(candidate) > 72:  # bcrypt 5 raises on these; no stored password is that long
            candidate = candidate[:72]
            password_hash = None
        stored = password_hash.encode("ascii") if password_hash else self._dummy_hash
        try:
            matches = await self._pool.run(bcrypt.checkpw, candidate, stored, urgent=True)
        except CpuPoolFullError as error:
            raise HashingBusyError(CHECKS_BUSY) from error
        return matches and password_hash is not None

    def close(self) -> None:
        self._pool.close()
