"""Files shipped with the package: the default policy (data/) and styles (styles/).

In the repository they sit at the top level; the wheel maps them into the
package as ``oncall.data`` and ``oncall.styles``. Both layouts are served here.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent


def _shipped(kind: str, name: str) -> Path:
    # data/ and styles/ have no __init__.py: installed, they are namespace
    # packages whose files() is a MultiplexedPath, so join before converting.
    try:
        found = Path(str(resources.files(f"oncall.{kind}").joinpath(name)))
        if found.exists():
            return found
    except ModuleNotFoundError:
        pass
    return _REPO_ROOT / kind / name


def data_path(name: str) -> Path:
    """Path of a file shipped in data/ (policy, calendars, demo data)."""
    return _shipped("data", name)


def styles_path(name: str) -> Path:
    """Path of a TCSS file shipped in styles/."""
    return _shipped("styles", name)
