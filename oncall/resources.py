"""Files shipped with the package: the default policy (data/) and styles (styles/).

In the repository they sit at the top level; the wheel maps them into the
package as ``oncall.data`` and ``oncall.styles``. Both layouts are served here.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent


def _folder(kind: str) -> Path:
    try:
        found = resources.files(f"oncall.{kind}")
        path = Path(str(found))
        if path.is_dir():
            return path
    except ModuleNotFoundError:
        pass
    return _REPO_ROOT / kind


def data_path(name: str) -> Path:
    """Path of a file shipped in data/ (policy, calendars, demo data)."""
    return _folder("data") / name


def styles_path(name: str) -> Path:
    """Path of a TCSS file shipped in styles/."""
    return _folder("styles") / name
