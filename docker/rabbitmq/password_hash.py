"""Print the RabbitMQ password hash of a password, for docker/rabbitmq/definitions.json.

    python3 docker/rabbitmq/password_hash.py 'the password'

``rabbit_password_hashing_sha256``: base64(salt + sha256(salt + utf-8 password)), with a random
4-byte salt, which is how RabbitMQ stores passwords and what its definitions import expects.
"""

import base64
import hashlib
import os
import sys


def password_hash(password: str, salt: bytes | None = None) -> str:
    salt = os.urandom(4) if salt is None else salt
    if len(salt) != 4:
        raise ValueError("RabbitMQ salts are 4 bytes")
    digest = hashlib.sha256(salt + password.encode("utf-8")).digest()
    return base64.b64encode(salt + digest).decode("ascii")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(password_hash(sys.argv[1]))
