"""The config file: which policy, which database, the desk's time zone, and later settings.

TOML, found at ``--config PATH``, else ``$ONCALL_CONFIG``, else the user config
dir (platformdirs), e.g. ``~/.config/oncall/config.toml``. Every key is
optional; without a file the defaults shipped in ``data/`` apply::

    policy = "/etc/oncall/sla.toml"     # relative paths are relative to this file
    timezone = "Asia/Shanghai"          # overrides the policy's desk zone
    database = "postgresql+psycopg://oncall@db/oncall"
    language = "zh_CN"                  # console language (else the locale)
    notify_command = "/usr/local/bin/page-duty"
    notify_batch = false                # true: one run per batch of alerts, a JSON array
    bell = true

    [keymap]                            # the console's keys (oncall/tui/actions.py)
    respond = "R"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .resources import data_path

KNOWN_KEYS = {
    "policy": str,
    "timezone": str,
    "database": str,
    "language": str,
    "notify_command": str,
    "notify_timeout": (int, float),
    "notify_retries": int,
    "notify_batch": bool,
    "bell": bool,
    "keymap": dict,  # the console's keys: binding id = key(s); see oncall/tui/actions.py
}


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class Config:
    path: Path | None  # the file read, None when none exists
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    @property
    def policy_path(self) -> Path:
        named = self.values.get("policy")
        if not named:
            return data_path("sla.toml")
        path = Path(named).expanduser()
        if not path.is_absolute() and self.path is not None:
            path = self.path.parent / path
        return path

    @property
    def desk_calendar_path(self) -> Path:
        """The desk's own calendar file (``oncall calendar set``), beside the config file."""
        from .sla.overrides import DESK_FILE_NAME

        folder = self.path.parent if self.path is not None else default_config_path().parent
        return folder / DESK_FILE_NAME


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("oncall")) / "config.toml"


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read the config file; a missing default file is fine, a missing named one is not."""
    env = os.environ if env is None else env
    named = path or env.get("ONCALL_CONFIG")
    file = Path(named).expanduser() if named else default_config_path()
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if named:
            raise ConfigError(f"{file}: config file not found") from None
        return Config(path=None)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read the config file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    for key, value in raw.items():
        kind = KNOWN_KEYS.get(key)
        if kind is None:
            raise ConfigError(f"{file}: {key}: unknown setting (known: {', '.join(KNOWN_KEYS)})")
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise ConfigError(f"{file}: {key}: unexpected value {value!r}")
        if kind is dict and not all(isinstance(v, str) for v in value.values()):
            # Which ids and keys the console has, it checks itself (and says so).
            raise ConfigError(f'{file}: {key}: each entry is a string of keys, e.g. respond = "R"')
    return Config(path=file, values=raw)
