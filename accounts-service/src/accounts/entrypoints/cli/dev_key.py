"""``accounts-dev-key PATH``: write a development signing key unless one exists."""

import sys
from pathlib import Path

from accounts.infrastructure.security.signing_key import write_new_key


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else ".secrets/jwt-dev-private.pem")
    if write_new_key(path):
        print(f"wrote a new Ed25519 development key to {path}")
    else:
        print(f"keeping the existing key at {path}")


if __name__ == "__main__":
    main()
