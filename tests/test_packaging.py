"""The wheel must carry every subpackage and the data/ and styles/ folders."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "oncall").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    missing = found - listed
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"
    assert {"oncall.data", "oncall.styles"} <= listed


def test_shipped_files_are_found():
    from oncall.resources import data_path

    assert data_path("sla.toml").is_file()
    assert data_path("calendar-overrides.toml").is_file()
