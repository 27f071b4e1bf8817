"""The structure issue 12 asks for, held: small modules, small classes, the desk's
verbs on its sub-objects, one name each."""

from __future__ import annotations

import inspect
from pathlib import Path
from types import FunctionType

import pytest

import oncall
from oncall.desk.alert_records import Alerts
from oncall.desk.core import Desk
from oncall.desk.customers import Customers
from oncall.desk.fault_verbs import Faults
from oncall.desk.reads import Reads
from oncall.desk.roster_verbs import Roster
from oncall.desk.tx import Tx
from oncall.desk.work_verbs import Work

ROOT = Path(oncall.__file__).parent
MAX_LINES = 600
MAX_METHODS = 25
SUB_OBJECTS = {
    "roster": Roster,
    "customers": Customers,
    "faults": Faults,
    "work": Work,
    "reads": Reads,
    "alerts": Alerts,
}


def methods(cls: type) -> set[str]:
    """Its methods and properties, with those it inherits from the project's classes."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("oncall"):
            continue
        for name, value in vars(klass).items():
            if isinstance(value, FunctionType | property | staticmethod | classmethod):
                names.add(name)
    return names


@pytest.mark.parametrize("cls", [Desk, Tx, *SUB_OBJECTS.values()], ids=lambda c: c.__name__)
def test_the_desk_classes_stay_small(cls):
    assert len(methods(cls)) <= MAX_METHODS, sorted(methods(cls))


def test_the_method_count_includes_what_a_project_class_inherits():
    class Mixin:
        def a(self): ...

        def b(self): ...

    class Big(Mixin):
        def c(self): ...

    Mixin.__module__ = Big.__module__ = "oncall.example"
    assert methods(Big) == {"a", "b", "c"}
    Mixin.__module__ = "elsewhere"  # a library's class: not counted
    assert methods(Big) == {"c"}


def test_every_module_stays_under_600_lines():
    long = {
        path.relative_to(ROOT).as_posix(): n
        for path in ROOT.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_desk_facade_keeps_identity_and_exposes_its_records(desk):
    assert {name for name in methods(Desk) if not name.startswith("_")} == {
        "as_user",
        "claim",
        "claimed",
        "check_claim",
        "batch",
        "changed",  # a verb with its fault's view, from the verb's own transaction
        "release",
    }
    for name, cls in SUB_OBJECTS.items():
        assert type(vars(desk)[name]) is cls
    other = desk.as_user("alice")
    assert other.faults is not desk.faults and other.user == "alice"


def test_one_name_per_verb_across_the_sub_objects():
    """No verb is spelled twice among the sub-objects' public methods (``faults.close``
    is the fault verb; the desk releases its connections with ``release``)."""
    seen: dict[str, list[str]] = {}
    for sub, cls in SUB_OBJECTS.items():
        for name, _value in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_"):
                seen.setdefault(name, []).append(sub)
    # The only names two records share are the ones that read them back.
    shared = {name: subs for name, subs in seen.items() if len(subs) > 1}
    assert set(shared) <= {"add", "edit", "all", "get", "faults"}, shared  # a record's add/edit


def project_classes() -> list[type]:
    """Every class defined in a module of ``oncall`` (imported here, so the console's
    and the alerts' modules count too)."""
    import importlib
    import pkgutil

    found: list[type] = []
    for info in pkgutil.walk_packages(oncall.__path__, "oncall."):
        if ".migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == info.name:
                found.append(value)
    return found


def test_no_class_in_the_project_has_over_25_methods():
    classes = project_classes()
    assert len(classes) > 50  # the walk found the project, not an empty package
    big = {
        f"{cls.__module__}.{cls.__qualname__}": len(methods(cls))
        for cls in classes
        if len(methods(cls)) > MAX_METHODS
    }
    assert big == {}
