"""The services' RabbitMQ permissions in the deployment files, made from one source:
``contracts.broker_permissions`` (which ``make logins`` and the tests' stacks use too).
deploy-tests checks that the files are current.

    python scripts/broker_permissions.py           # say which file differs
    python scripts/broker_permissions.py --write   # rewrite the patterns in both files

- docker/rabbitmq/definitions.json: the ``permissions`` entries of the users ``accounts`` and
  ``projects`` (vhost ``/``);
- deploy/kubernetes/infrastructure/base/rabbitmq-users.yaml: the ``configure``, ``write`` and
  ``read`` lines of the ``Permission`` objects of the same names (comments kept).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from contracts import broker_permissions

REPO = Path(__file__).resolve().parents[1]
DEFINITIONS = REPO / "docker" / "rabbitmq" / "definitions.json"
KUBERNETES = REPO / "deploy" / "kubernetes" / "infrastructure" / "base" / "rabbitmq-users.yaml"
SERVICES = ("accounts", "projects")
KINDS = ("configure", "write", "read")


def definitions(text: str) -> str:
    document = json.loads(text)
    for entry in document["permissions"]:
        if entry["user"] in SERVICES:
            granted = broker_permissions(entry["user"])
            entry.update({kind: getattr(granted, kind) for kind in KINDS})
    return json.dumps(document, indent=2) + "\n"


def kubernetes(text: str) -> str:
    documents = text.split("\n---\n")
    for index, document in enumerate(documents):
        name = re.search(r"^kind: Permission\nmetadata:\n  name: (\w+)$", document, re.MULTILINE)
        if name and name.group(1) in SERVICES:
            documents[index] = _patterns(document, name.group(1))
    return "\n---\n".join(documents)


def _patterns(document: str, service: str) -> str:
    granted = broker_permissions(service)
    for kind in KINDS:
        line = re.compile(rf"^(    {kind}: ).*$", re.MULTILINE)
        document = line.sub(lambda m, k=kind: m.group(1) + getattr(granted, k), document)
    return document


FILES = {DEFINITIONS: definitions, KUBERNETES: kubernetes}


def stale() -> list[Path]:
    return [path for path, make in FILES.items() if make(path.read_text()) != path.read_text()]


def main() -> int:
    if sys.argv[1:] == ["--write"]:
        for path, make in FILES.items():
            path.write_text(make(path.read_text()))
        return 0
    behind = stale()
    for path in behind:
        print(f"{path.relative_to(REPO)} differs from contracts.broker_permissions", flush=True)
    return 1 if behind else 0


if __name__ == "__main__":
    sys.exit(main())
