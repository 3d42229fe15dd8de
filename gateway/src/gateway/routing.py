"""Which service a request path belongs to."""

from collections.abc import Iterable
from urllib.parse import unquote

from gateway.config import Route


class RouteTable:
    """Matches a raw path against route prefixes on whole segments: `/api/users` routes
    `/api/users` and `/api/users/...`, never `/api/usersX`."""

    def __init__(self, routes: Iterable[Route]) -> None:
        # Longest prefix first, so a more specific route wins over a shorter one.
        self._routes = sorted(routes, key=lambda route: len(route.prefix), reverse=True)

    def match(self, path: str) -> Route | None:
        for route in self._routes:
            prefix = route.prefix
            if path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/"):
                return route
        return None


def has_dot_segment(path: str) -> bool:
    """`..` (also as `%2E%2E`) could climb out of the matched prefix once the service
    normalises the path, so such paths are refused rather than routed."""
    if "." not in path and "%" not in path:
        return False  # the common case, without splitting
    return any(unquote(segment) in (".", "..") for segment in path.split("/"))
