"""One OpenAPI document out of the services' own: paths as they are, components merged."""

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from gateway.routing import RouteTable

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_LOCAL_REF = re.compile(r"#/components/(?P<section>[^/]+)/(?P<name>[^/]+)")

Document = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ServiceDocument:
    """A service's OpenAPI document as the gateway holds it (``None`` when never fetched)."""

    service: str
    document: Document | None
    status: str  # "ok", "stale: ..." or "unavailable: ..."


def merge(
    sources: list[ServiceDocument], routes: RouteTable, *, version: str, asyncapi_url: str
) -> Document:
    merged: Document = {"paths": {}, "components": {}, "tags": []}
    report: dict[str, Any] = {}
    openapi_version = "3.1.0"
    for source in sources:
        report[source.service] = {"status": source.status}
        if source.document is None:
            continue
        openapi_version = source.document.get("openapi", openapi_version)
        renamed = _merge_one(merged, source.service, source.document, routes)
        if renamed:
            report[source.service]["renamed_components"] = renamed
    if not merged["tags"]:
        del merged["tags"]
    missing = [name for name, entry in report.items() if entry["status"] != "ok"]
    description = (
        "Every public endpoint of Taskboard, merged by the gateway from the services' own "
        f"documents. The integration events are described in [AsyncAPI]({asyncapi_url})."
    )
    if missing:
        description += (
            f"\n\n**Incomplete:** not current for {', '.join(missing)} (see x-taskboard-sources)."
        )
    return {
        "openapi": openapi_version,
        "info": {"title": "Taskboard API", "version": version, "description": description},
        **merged,
        "x-taskboard-sources": report,
        "x-taskboard-asyncapi": asyncapi_url,
    }


def _merge_one(
    merged: Document, service: str, original: Document, routes: RouteTable
) -> dict[str, str]:
    document = copy.deepcopy(original)
    components: dict[str, dict[str, Any]] = document.get("components", {})
    renames = _renames(merged["components"], components, service)
    _rewrite_refs(document, renames)
    _rename_security(document, renames.get("securitySchemes", {}))
    for section, items in components.items():
        target = merged["components"].setdefault(section, {})
        for name, item in items.items():
            # Already renamed where they clash; an equal one already there is shared.
            target.setdefault(name, item)
    top_security = document.get("security")
    for path, item in document.get("paths", {}).items():
        # Only what the gateway routes to this service: its /health or JWKS are not public.
        route = routes.match(path)
        if route is None or route.upstream.name != service or path in merged["paths"]:
            continue
        if top_security is not None:
            for method in HTTP_METHODS:
                if method in item:
                    item[method].setdefault("security", top_security)
        merged["paths"][path] = item
    known_tags = {tag["name"] for tag in merged["tags"]}
    merged["tags"].extend(tag for tag in document.get("tags", []) if tag["name"] not in known_tags)
    return {
        f"{section}/{old}": new for section, names in renames.items() for old, new in names.items()
    }


def _renames(
    existing: dict[str, dict[str, Any]], incoming: dict[str, dict[str, Any]], service: str
) -> dict[str, dict[str, str]]:
    """Names to give the incoming components: an equal one is shared; one that differs, or
    refers (transitively) to one that had to be renamed, gets the service's prefix."""
    colliding = {
        (section, name)
        for section, items in incoming.items()
        for name in items
        if name in existing.get(section, {})
    }
    clash = {key for key in colliding if not _same(key[0], existing, incoming, key[1])}
    changed = True
    while changed:
        changed = False
        for key in colliding - clash:
            if _refs(incoming[key[0]][key[1]]) & clash:
                clash.add(key)
                changed = True
    renames: dict[str, dict[str, str]] = {}
    taken = {(section, name) for section, items in existing.items() for name in items}
    taken |= {(section, name) for section, items in incoming.items() for name in items}
    for section, name in sorted(clash):
        new = f"{service.capitalize()}{name}"
        while (section, new) in taken:
            new = f"{service.capitalize()}{new}"
        taken.add((section, new))
        renames.setdefault(section, {})[name] = new
    return renames


def _same(
    section: str,
    existing: dict[str, dict[str, Any]],
    incoming: dict[str, dict[str, Any]],
    name: str,
) -> bool:
    """Equal definitions are shared. Security schemes that differ only in their description
    are the same scheme (one token works for both services), so Swagger UI asks only once."""
    old, new = existing[section][name], incoming[section][name]
    if section == "securitySchemes" and isinstance(old, dict) and isinstance(new, dict):
        old, new = ({k: v for k, v in s.items() if k != "description"} for s in (old, new))
    return bool(old == new)


def _refs(node: Any) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for ref in _walk_refs(node):
        match = _LOCAL_REF.fullmatch(ref)
        if match:
            found.add((match["section"], match["name"]))
    return found


def _walk_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _walk_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_refs(value)


def _rewrite_refs(document: Document, renames: dict[str, dict[str, str]]) -> None:
    def rename(ref: str) -> str:
        match = _LOCAL_REF.fullmatch(ref)
        if match is None:
            return ref
        new = renames.get(match["section"], {}).get(match["name"])
        return ref if new is None else f"#/components/{match['section']}/{new}"

    if renames:
        _map_refs(document, rename)
        for section, names in renames.items():
            items = document["components"][section]
            for old, new in names.items():
                items[new] = items.pop(old)


def _map_refs(node: Any, rename: Callable[[str], str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                node[key] = rename(value)
            else:
                _map_refs(value, rename)
    elif isinstance(node, list):
        for value in node:
            _map_refs(value, rename)


def _rename_security(document: Document, renames: dict[str, str]) -> None:
    """Security requirements name schemes directly, not by $ref."""
    if not renames:
        return
    requirement_lists = [document.get("security")]
    for item in document.get("paths", {}).values():
        requirement_lists += [
            item[method].get("security") for method in HTTP_METHODS if method in item
        ]
    for requirements in requirement_lists:
        for requirement in requirements or []:
            for old, new in renames.items():
                if old in requirement:
                    requirement[new] = requirement.pop(old)
