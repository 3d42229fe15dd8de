import pytest

from projects.domain.errors import InvalidProjectNameError, InvalidTaskNameError
from projects.domain.names import ProjectName, TaskName

NAME_TYPES = [(ProjectName, InvalidProjectNameError), (TaskName, InvalidTaskNameError)]


@pytest.mark.parametrize(("name_type", "error"), NAME_TYPES)
@pytest.mark.parametrize("text", ["abcd", "x" * 32, "Sign up!", "Ünïcødé ✓"])
def test_names_of_4_to_32_characters_are_accepted(
    name_type: type[ProjectName | TaskName], error: type[Exception], text: str
) -> None:
    assert name_type(text).value == text


@pytest.mark.parametrize(("name_type", "error"), NAME_TYPES)
@pytest.mark.parametrize("text", ["", "abc", "x" * 33, "    ", "  ab  ", "\t\n  \r"])
def test_names_shorter_than_4_or_longer_than_32_characters_are_refused(
    name_type: type[ProjectName | TaskName], error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match="4 to 32 characters"):
        name_type(text)


@pytest.mark.parametrize(("name_type", "error"), NAME_TYPES)
def test_surrounding_whitespace_is_trimmed_before_counting(
    name_type: type[ProjectName | TaskName], error: type[Exception]
) -> None:
    assert name_type("  Garden \n").value == "Garden"
    assert name_type(" " + "x" * 32 + " ").value == "x" * 32


@pytest.mark.parametrize(("name_type", "error"), NAME_TYPES)
@pytest.mark.parametrize("value", [1234, None, ["Garden"], b"Garden"])
def test_a_name_must_be_text(
    name_type: type[ProjectName | TaskName], error: type[Exception], value: object
) -> None:
    with pytest.raises(error, match="must be text"):
        name_type(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name_type", "error"), NAME_TYPES)
@pytest.mark.parametrize("text", ["Gar\x00den", "Gar\nden", "Tab\there", "Bad \ud800 half"])
def test_control_characters_and_lone_surrogates_are_refused(
    name_type: type[ProjectName | TaskName], error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match="control characters"):
        name_type(text)


def test_names_are_values_compared_by_content() -> None:
    assert ProjectName("Garden") == ProjectName(" Garden ")
    assert ProjectName("Garden") != ProjectName("Kitchen")


@pytest.mark.parametrize(
    "raw", ["Tax\u202eredro", "Zero\u200bwidth", "Iso\u2066late\u2069", "Bom\ufeffhere"]
)
def test_invisible_and_reordering_characters_are_refused(raw: str) -> None:
    with pytest.raises(InvalidProjectNameError):
        ProjectName(raw)
