"""The chassis's public names are imported on first use (issue 17: a process loads only the
parts it uses), and each is the object its module defines."""

import ast
import importlib
from pathlib import Path

import chassis
from taskboard_testing import modules_loaded_by, packages_in

INIT = Path(chassis.__file__)


def imports_for_type_checkers() -> dict[str, str]:
    """Each name the ``if TYPE_CHECKING:`` block imports, and its module."""
    tree = ast.parse(INIT.read_text())
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    return {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom) and node.module is not None
        for alias in node.names
    }


def test_every_public_name_is_the_object_of_its_module() -> None:
    where = imports_for_type_checkers()
    assert sorted(where) == sorted(chassis.__all__)
    assert where == chassis._MODULE_OF  # the table __getattr__ imports from
    for name in chassis.__all__:
        assert getattr(chassis, name) is getattr(importlib.import_module(where[name]), name)


def test_importing_the_chassis_loads_none_of_its_parts() -> None:
    loaded = modules_loaded_by("import chassis")
    assert sorted(name for name in loaded if name.startswith("chassis.")) == []
    assert packages_in(loaded, ["sqlalchemy", "faststream", "fastapi", "opentelemetry"]) == []


def test_a_name_the_chassis_does_not_have_is_an_attribute_error() -> None:
    assert not hasattr(chassis, "no_such_name")
    assert "run_worker" in dir(chassis)
