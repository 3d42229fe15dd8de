"""The README's table of make targets, made from the Makefile's ``## `` comments: the one source
that ``make help`` prints too (deploy-tests checks that the README's copy is current).

    python scripts/make_targets.py           # print the table
    python scripts/make_targets.py --write   # rewrite it in README.md, between its two markers
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BEGIN = (
    "<!-- make-targets: from the Makefile's ## comments; python scripts/make_targets.py --write -->"
)
END = "<!-- /make-targets -->"
BLOCK = re.compile(re.escape(BEGIN) + r"\n(.*?)" + re.escape(END), re.DOTALL)
# As `make help` reads them: a target line, then after its last "## " what the target does.
TARGET = re.compile(r"^([a-z-]+):.*## (.*)$", re.MULTILINE)


def targets(makefile: str) -> list[tuple[str, str]]:
    return [(name, does.strip()) for name, does in TARGET.findall(makefile)]


def escape(cell: str) -> str:
    return cell.replace("|", r"\|")


def table(makefile: str) -> str:
    rows = [f"| `make {name}` | {escape(does)} |" for name, does in targets(makefile)]
    return "\n".join(["| target | does |", "|---|---|", *rows]) + "\n"


def readme_table(readme: str) -> str | None:
    found = BLOCK.search(readme)
    return found.group(1) if found else None


def main() -> int:
    generated = table((REPO / "Makefile").read_text())
    if sys.argv[1:] != ["--write"]:
        print(generated, end="")
        return 0
    path = REPO / "README.md"
    readme = path.read_text()
    if readme_table(readme) is None:
        sys.exit(f"README.md has no {BEGIN} ... {END} block to fill")
    path.write_text(BLOCK.sub(lambda _: f"{BEGIN}\n{generated}{END}", readme, count=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
