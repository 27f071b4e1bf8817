"""What every command shares: options, the config, the policy, output helpers."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from ..config import Config, ConfigError, load_config
from ..text import json_text
from ..timefmt import TimeInputError, TimeOutOfRange, parse_instant

if TYPE_CHECKING:
    from ..sla.policy import Policy
    from ..sla.served import ServedRange


class CliError(Exception):
    """Bad input or a refused action: one line on stderr, exit 2."""


def common_options() -> argparse.ArgumentParser:
    """Options every command takes (before or after the subcommand)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="config file (default: $ONCALL_CONFIG or the user config dir)",
    )
    common.add_argument(
        "--policy",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="policy file (overrides the config's; default: the shipped data/sla.toml)",
    )
    common.add_argument(
        "--db",
        metavar="URL_OR_PATH",
        default=argparse.SUPPRESS,
        help="database: an SQLAlchemy URL or a SQLite file path (default: $ONCALL_DB)",
    )
    return common


def config_of(args: argparse.Namespace) -> Config:
    try:
        return load_config(getattr(args, "config", None))
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def policy_of(args: argparse.Namespace, config: Config | None = None) -> Policy:
    from ..calendar_cache import CALENDAR_CACHE
    from ..sla.policy import PolicyError, load_policy  # the engine, only when needed

    config = config or config_of(args)
    path = getattr(args, "policy", None) or config.policy_path
    try:
        return load_policy(
            path,
            timezone=config.get("timezone"),
            desk_calendar=config.desk_calendar_path,
            countries=CALENDAR_CACHE,  # the engine writes no file: the cache is ours
        )
    except PolicyError as exc:
        raise CliError(str(exc)) from None


def unknown_year_line(calendar: str, year: int) -> str:
    """The one warning for a calendar year whose working days are not known."""
    return (
        f"warning: calendar {calendar} does not know {year}'s working days (its make-up "
        f"working days are not published in the holidays package or entered at this desk): "
        f"deadlines in {year} may be wrong. Enter them: oncall calendar set {year} "
        f"--calendar {calendar} --off DATE... --work DATE..."
    )


def unknown_years_of(policy: Policy, clocks) -> list[tuple[str, int]]:
    """(calendar, year) not known in which one of these clocks, still running, falls due."""
    found = {
        policy.unknown_year_of(policy.window(c.window), c.deadline)
        for c in clocks
        if c.deadline is not None and c.stopped_at is None
    }
    return sorted((u.calendar, u.year) for u in found if u is not None)


def instant(text: str, tz: tzinfo, what: str):
    try:
        return parse_instant(text, tz)
    except TimeInputError as exc:
        raise CliError(f"{what}: {exc}") from None


def served(policy: Policy, today: datetime | None = None) -> ServedRange:
    """The times the desk serves under ``policy`` (``today``: default the real time)."""
    from ..clock import SystemClock
    from ..sla.served import served_range

    return served_range(policy, today or SystemClock().now())


def served_instant(text: str, policy: Policy, what: str, within: ServedRange | None = None):
    """A time typed on the command line, refused when outside the served range."""
    from ..sla.served import OutOfRange

    within = within or served(policy)
    try:
        return within.check(parse_instant(text, policy.timezone), what)
    except TimeOutOfRange:
        raise CliError(
            f"{what} {text.strip()} is outside the times the desk serves ({within.describe()})"
        ) from None
    except TimeInputError as exc:
        raise CliError(f"{what}: {exc}") from None
    except OutOfRange as exc:
        raise CliError(str(exc)) from None


def print_json(value: Any) -> None:
    sys.stdout.write(json_text(value, indent=2))
    sys.stdout.write("\n")


def env() -> dict[str, str]:
    return dict(os.environ)
