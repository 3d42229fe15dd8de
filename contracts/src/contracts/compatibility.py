"""Whether an event's new JSON Schema may replace its committed snapshot in the same major version.

Within one major version, producers and consumers of either schema meet on the same routing key,
so a field may not be removed, retyped (its type, format, constraints, enum or const), become
required or stop being required, and a new field must be optional. Annotations (title,
description, examples, default) may change freely. Anything else needs a new major version: a new
routing key, so a new snapshot with nothing to compare against.

A new optional field is safe in any deploy order: the models are tolerant readers that ignore
fields they do not know, so a consumer on the old model reads the new producer's messages.

The comparison is structural: ``$ref`` is resolved in each schema's own ``$defs``, so renaming a
nested model changes nothing, and a change inside a nested model is reported with its path
(``payload.email``). Inside a union whose alternatives do not pair up by type, any change counts.
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any

Schema = Mapping[str, Any]

_ANNOTATIONS = frozenset(
    {
        "$comment",
        "$defs",
        "$id",
        "$schema",
        "default",
        "definitions",
        "deprecated",
        "description",
        "examples",
        "readOnly",
        "title",
        "writeOnly",
    }
)
_NAMED_SCHEMAS = frozenset({"properties", "patternProperties", "dependentSchemas"})
_UNORDERED = frozenset({"anyOf", "oneOf", "enum", "required", "type"})


def incompatible_changes(old: Schema, new: Schema) -> list[str]:
    """Why ``new`` cannot replace ``old`` within one major version; empty when it can."""
    return _Comparison(old, new).compare(old, new, path="")


class _Comparison:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self._old_root = old_root
        self._new_root = new_root
        self._open_refs: set[tuple[str, str]] = set()

    def compare(self, old: Schema, new: Schema, *, path: str) -> list[str]:
        refs = (old.get("$ref", ""), new.get("$ref", ""))
        if all(refs):
            if refs in self._open_refs:  # a recursive model: being compared further out
                return []
            self._open_refs.add(refs)
            try:
                return self._compare(old, new, path=path)
            finally:
                self._open_refs.discard(refs)
        return self._compare(old, new, path=path)

    def _compare(self, old: Schema, new: Schema, *, path: str) -> list[str]:
        old, new = _resolve(old, self._old_root), _resolve(new, self._new_root)
        kind = _kind(old)
        if kind != _kind(new):
            return self._retyped(old, new, path=path)
        if kind == "object":
            return self._compare_objects(old, new, path=path)
        if kind == "array":
            return self._shell(old, new, "items", path=path) or self.compare(
                old.get("items", {}), new.get("items", {}), path=f"{path}[]"
            )
        if kind == "union":
            return self._compare_unions(old, new, path=path)
        return self._retyped(old, new, path=path)

    def _compare_objects(self, old: Schema, new: Schema, *, path: str) -> list[str]:
        problems = self._shell(old, new, "properties", "required", path=path)
        old_fields, new_fields = old["properties"], new["properties"]
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        for name, old_field in old_fields.items():
            where = _join(path, name)
            if name not in new_fields:
                problems.append(f"{where}: removed")
                continue
            problems += self.compare(old_field, new_fields[name], path=where)
            if name in old_required and name not in new_required:
                problems.append(f"{where}: no longer required")
            elif name not in old_required and name in new_required:
                problems.append(f"{where}: became required")
        problems += [
            f"{_join(path, name)}: new required field"
            for name in new_fields
            if name not in old_fields and name in new_required
        ]
        return problems

    def _compare_unions(self, old: Schema, new: Schema, *, path: str) -> list[str]:
        keyword = "anyOf" if "anyOf" in old else "oneOf"
        old_options = self._by_type(old.get(keyword, ()), self._old_root)
        new_options = self._by_type(new.get(keyword, ()), self._new_root)
        if old_options is None or new_options is None or old_options.keys() != new_options.keys():
            return self._retyped(old, new, path=path)
        problems = self._shell(old, new, "anyOf", "oneOf", path=path)
        for type_name, option in old_options.items():
            problems += self.compare(option, new_options[type_name], path=path)
        return problems

    def _by_type(self, options: Sequence[Schema], root: Schema) -> dict[str, Schema] | None:
        """Union alternatives keyed by their JSON type, or None when two share one."""
        keyed = {json.dumps(_resolve(option, root).get("type")): option for option in options}
        return keyed if len(keyed) == len(options) else None

    def _shell(self, old: Schema, new: Schema, *inner: str, path: str) -> list[str]:
        """Compares a node's own keywords, leaving out the ``inner`` ones compared one by one."""
        old_shell = {key: value for key, value in old.items() if key not in inner}
        new_shell = {key: value for key, value in new.items() if key not in inner}
        return self._retyped(old_shell, new_shell, path=path)

    def _retyped(self, old: Schema, new: Schema, *, path: str) -> list[str]:
        old_form = _canonical(old, self._old_root, refs=())
        new_form = _canonical(new, self._new_root, refs=())
        if old_form == new_form:
            return []
        return [f"{path or '(root)'}: type changed from {_show(old_form)} to {_show(new_form)}"]


def _kind(node: Schema) -> str:
    if "anyOf" in node or "oneOf" in node:
        return "union"
    if node.get("type") == "object" and "properties" in node:
        return "object"
    if node.get("type") == "array":
        return "array"
    return "scalar"


def _resolve(node: Schema, root: Schema) -> Schema:
    """Follows ``$ref`` (and pydantic's one-element ``allOf`` wrapper), keeping sibling keywords."""
    for _ in range(100):
        if "$ref" in node:
            target = _pointer(root, node["$ref"])
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        elif len(node.get("allOf", ())) == 1:
            node = {**node["allOf"][0], **{k: v for k, v in node.items() if k != "allOf"}}
        else:
            return node
    raise ValueError("$ref chain does not end")


def _pointer(root: Schema, ref: str) -> Schema:
    if not ref.startswith("#"):
        raise ValueError(f"only local $ref is supported, got {ref!r}")
    node: Any = root
    for part in ref.removeprefix("#").strip("/").split("/"):
        if part:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node  # type: ignore[no-any-return]


def _canonical(node: Any, root: Schema, *, refs: tuple[str, ...]) -> Any:
    """The node with references inlined, annotations dropped and unordered lists sorted."""
    if isinstance(node, Mapping):
        if "$ref" in node:
            ref = node["$ref"]
            if ref in refs:  # a recursive model: the cycle itself is the type
                return {"$ref": ref}
            return _canonical(_resolve(node, root), root, refs=(*refs, ref))
        form: dict[str, Any] = {}
        for key, value in node.items():
            if key in _ANNOTATIONS:
                continue
            if key in _NAMED_SCHEMAS:
                form[key] = {name: _canonical(v, root, refs=refs) for name, v in value.items()}
            elif key in _UNORDERED and isinstance(value, list):
                items = [_canonical(v, root, refs=refs) for v in value]
                form[key] = sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
            else:
                form[key] = _canonical(value, root, refs=refs)
        return form
    if isinstance(node, list):
        return [_canonical(item, root, refs=refs) for item in node]
    return node


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _show(form: Any) -> str:
    text = json.dumps(form, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."
