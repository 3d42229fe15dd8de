"""The names' pattern in the OpenAPI document says what the domain checks."""

import re
import sys
import unicodedata

import pytest

from projects.domain.errors import InvalidProjectNameError
from projects.domain.names import ProjectName
from projects.entrypoints.http.schemas import FORBIDDEN, NAME_SCHEMA, STRIPPED

PATTERN = re.compile(str(NAME_SCHEMA["pattern"]))


def test_the_patterns_character_lists_are_what_python_strips_and_the_domain_refuses() -> None:
    stripped, forbidden = re.compile(f"[{STRIPPED}]"), re.compile(f"[{FORBIDDEN}]")
    for code_point in range(sys.maxunicode + 1):
        char = chr(code_point)
        assert bool(stripped.fullmatch(char)) == char.isspace(), hex(code_point)
        assert bool(forbidden.fullmatch(char)) == (
            unicodedata.category(char) in {"Cc", "Cf"}  # lone surrogates: see the schema
        ), hex(code_point)


@pytest.mark.parametrize(
    "name",
    [
        "Garden",
        "  Garden \t",
        "abcd",
        "x" * 32,
        " " + "x" * 32 + "\u3000",
        "Gärten 🌱",
        "abc",
        "x" * 33,
        "   ab   ",
        "Gar\u200bden",  # zero-width space (Cf)
        "\u202eGarden",  # right-to-left override (Cf)
        "Garden\ufeff",  # byte order mark: ECMAScript's \s, but Cf and not stripped by Python
        "Gar\x00den",
        "Gar\ndenXX",
        "Tag\U000e0041s",  # a tag character (Cf, beyond the BMP)
        "\x1fGarden\x1c",  # stripped by Python, so the name is fine
    ],
)
def test_the_pattern_accepts_exactly_the_names_the_domain_accepts(name: str) -> None:
    try:
        ProjectName(name)
        accepted = True
    except InvalidProjectNameError:
        accepted = False
    assert bool(PATTERN.search(name)) == accepted
