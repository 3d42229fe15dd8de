"""Route matching on whole path segments."""

import pytest

from gateway.config import Route, Upstream
from gateway.routing import RouteTable, has_dot_segment

ACCOUNTS = Upstream("accounts", "http://a")
PROJECTS = Upstream("projects", "http://p")
SPECIAL = Upstream("special", "http://s")
TABLE = RouteTable(
    [
        Route("/api/users", ACCOUNTS),
        Route("/api/projects", PROJECTS),
        Route("/api/users/x", SPECIAL),
    ]
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/users", ACCOUNTS),
        ("/api/users/", ACCOUNTS),
        ("/api/users/me", ACCOUNTS),
        ("/api/users%2Fme", None),
        ("/api/usersX", None),
        ("/api/user", None),
        ("/api/projects/1/tasks", PROJECTS),
        ("/api/projectsX/1", None),
        ("/API/users", None),
        ("/", None),
        ("", None),
    ],
)
def test_prefixes_match_whole_segments_only(path: str, expected: Upstream | None) -> None:
    route = TABLE.match(path)
    assert (route.upstream if route else None) == expected


def test_the_longest_matching_prefix_wins() -> None:
    route = TABLE.match("/api/users/x/1")
    assert route is not None
    assert route.upstream == SPECIAL
    other = TABLE.match("/api/users/xy")
    assert other is not None
    assert other.upstream == ACCOUNTS


@pytest.mark.parametrize(
    ("path", "dotted"),
    [
        ("/api/users/../projects", True),
        ("/api/users/./me", True),
        ("/api/users/%2E%2e/projects", True),
        ("/api/users/..", True),
        ("/api/users/...", False),
        ("/api/users/a..b", False),
        ("/api/users/me", False),
    ],
)
def test_dot_segments_are_recognised_also_when_encoded(path: str, dotted: bool) -> None:
    assert has_dot_segment(path) is dotted
