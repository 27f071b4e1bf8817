"""Where reports go, and writing one whole or not at all.

``write`` renders nothing: it puts finished text in a temporary file beside the
target and renames it over the target, so a refused folder or a full disk leaves
no half report behind (``OSError`` says why). The console writes its reports to
``folder()``: ``reports`` in the user data folder (``~/.local/share/oncall/reports``
on Linux), beside the embedded database.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def folder() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("oncall")) / "reports"


def write(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` whole; its absolute path. ``OSError`` if refused."""
    if path.is_dir():
        raise IsADirectoryError(21, "it is a folder", str(path))
    fd, tmp = tempfile.mkstemp(prefix=".report-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path.resolve()


def shown(path: Path) -> str:
    """``path`` as a person reads it: the home folder as ``~``."""
    home = Path.home()
    try:
        return "~/" + str(path.relative_to(home))
    except ValueError:
        return str(path)
