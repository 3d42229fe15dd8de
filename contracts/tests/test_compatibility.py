from typing import Any

from contracts.compatibility import incompatible_changes


def obj(required: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return {"type": "object", "properties": fields, "required": list(required)}


STRING = {"type": "string"}
UUID = {"type": "string", "format": "uuid"}
INTEGER = {"type": "integer"}
OPTIONAL_INTEGER = {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None}


def envelope(payload: dict[str, Any], *, name: str = "Payload") -> dict[str, Any]:
    """An envelope-shaped schema whose payload is a $ref into $defs, as pydantic writes it."""
    schema = obj(("message_id", "payload"), message_id=UUID, payload={"$ref": f"#/$defs/{name}"})
    return {**schema, "$defs": {name: payload}}


BASE = obj(("user_id", "email"), user_id=UUID, email=STRING)


def test_an_identical_schema_is_compatible() -> None:
    assert incompatible_changes(BASE, BASE) == []


def test_removing_a_field_is_incompatible() -> None:
    assert incompatible_changes(BASE, obj(("user_id",), user_id=UUID)) == ["email: removed"]


def test_a_new_optional_field_is_compatible() -> None:
    new = obj(("user_id", "email"), user_id=UUID, email=STRING, nickname=STRING)
    assert incompatible_changes(BASE, new) == []


def test_a_new_required_field_is_incompatible() -> None:
    new = obj(("user_id", "email", "nickname"), user_id=UUID, email=STRING, nickname=STRING)
    assert incompatible_changes(BASE, new) == ["nickname: new required field"]


def test_retyping_a_field_is_incompatible() -> None:
    new = obj(("user_id", "email"), user_id=UUID, email=INTEGER)
    [problem] = incompatible_changes(BASE, new)
    assert problem.startswith("email: type changed from")


def test_changing_a_format_or_constraint_is_a_retype() -> None:
    assert incompatible_changes(BASE, obj(("user_id", "email"), user_id=STRING, email=STRING))
    limited = {"type": "string", "maxLength": 32}
    assert incompatible_changes(
        obj(("name",), name=limited), obj(("name",), name={**limited, "maxLength": 64})
    )


def test_making_a_field_nullable_is_a_retype() -> None:
    old = obj(count=INTEGER)
    assert incompatible_changes(old, obj(count=OPTIONAL_INTEGER)) != []


def test_a_field_may_not_become_required_or_stop_being_required() -> None:
    optional_email = obj(("user_id",), user_id=UUID, email=STRING)
    assert incompatible_changes(optional_email, BASE) == ["email: became required"]
    assert incompatible_changes(BASE, optional_email) == ["email: no longer required"]


def test_annotations_may_change_freely() -> None:
    described = obj(
        ("user_id", "email"),
        user_id={**UUID, "title": "User", "description": "who"},
        email={**STRING, "examples": ["a@b.co"]},
    )
    assert incompatible_changes(BASE, {**described, "title": "Renamed"}) == []


def test_a_field_of_a_nested_payload_removed_is_found_with_its_path() -> None:
    new = envelope(obj(("user_id",), user_id=UUID))
    assert incompatible_changes(envelope(BASE), new) == ["payload.email: removed"]


def test_a_nested_payload_retyped_or_grown_a_required_field_is_found() -> None:
    retyped = envelope(obj(("user_id", "email"), user_id=INTEGER, email=STRING))
    grown = envelope(obj(("user_id", "email", "x"), user_id=UUID, email=STRING, x=STRING))
    assert [p.split(":")[0] for p in incompatible_changes(envelope(BASE), retyped)] == [
        "payload.user_id"
    ]
    assert incompatible_changes(envelope(BASE), grown) == ["payload.x: new required field"]


def test_a_nested_payload_may_grow_an_optional_field_or_change_its_model_name() -> None:
    grown = obj(("user_id", "email"), user_id=UUID, email=STRING, nickname=STRING)
    assert incompatible_changes(envelope(BASE), envelope(grown, name="PayloadV1")) == []


def test_a_ref_inlined_or_wrapped_in_all_of_compares_by_structure() -> None:
    wrapped = envelope(BASE)
    wrapped["properties"]["payload"] = {
        "allOf": [{"$ref": "#/$defs/Payload"}],
        "description": "the event",
    }
    inlined = obj(("message_id", "payload"), message_id=UUID, payload=BASE)
    assert incompatible_changes(envelope(BASE), wrapped) == []
    assert incompatible_changes(envelope(BASE), inlined) == []


def test_a_change_inside_an_optional_nested_model_is_found() -> None:
    def holder(inner: dict[str, Any]) -> dict[str, Any]:
        schema = obj(
            ("id",), id=UUID, owner={"anyOf": [{"$ref": "#/$defs/Owner"}, {"type": "null"}]}
        )
        return {**schema, "$defs": {"Owner": inner}}

    assert incompatible_changes(holder(BASE), holder(obj(("user_id",), user_id=UUID))) == [
        "owner.email: removed"
    ]
    grown = obj(("user_id", "email"), user_id=UUID, email=STRING, nickname=STRING)
    assert incompatible_changes(holder(BASE), holder(grown)) == []


def test_reordering_a_union_or_an_enum_changes_nothing() -> None:
    old = obj(state={"enum": ["a", "b"]}, count=OPTIONAL_INTEGER)
    new = obj(
        state={"enum": ["b", "a"]},
        count={"anyOf": [{"type": "null"}, {"type": "integer"}]},
    )
    assert incompatible_changes(old, new) == []
    assert incompatible_changes(old, obj(state={"enum": ["a"]}, count=OPTIONAL_INTEGER))


def test_list_items_are_compared_field_by_field() -> None:
    def tags(item: dict[str, Any]) -> dict[str, Any]:
        return obj(tags={"type": "array", "items": item})

    assert incompatible_changes(tags(BASE), tags(obj(("user_id",), user_id=UUID))) == [
        "tags[].email: removed"
    ]


def test_accepting_unknown_fields_or_not_is_a_change_of_the_object() -> None:
    closed = {**BASE, "additionalProperties": False}
    assert incompatible_changes(closed, BASE) != []


def test_a_recursive_model_is_compared_without_looping() -> None:
    def tree(name: dict[str, Any]) -> dict[str, Any]:
        child = {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]}
        node = obj(("name",), name=name, child=child, first={"$ref": "#/$defs/Node"})
        return {**obj(("root",), root={"$ref": "#/$defs/Node"}), "$defs": {"Node": node}}

    assert incompatible_changes(tree(STRING), tree(STRING)) == []
    assert [p.split(":")[0] for p in incompatible_changes(tree(STRING), tree(INTEGER))] == [
        "root.name"
    ]
