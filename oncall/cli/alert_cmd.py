"""``oncall alert resend ID``: send an alert's notification again, deliberately.

An alert whose delivery is ``unknown`` (its sender died mid-send: the page may
or may not have gone out) or ``failed`` is never sent again automatically. A
person who has checked may ask for it here (or with ``R`` in the console's
alerts screen); the row keeps who asked and when, and the next watcher or
console with a notify command sends it within seconds.
"""

from __future__ import annotations

import argparse

from .common import CliError
from .context import Ctx, command


def register(commands: argparse._SubParsersAction) -> None:
    alert = commands.add_parser("alert", help="fired SLA alerts: resend a notification")
    sub = alert.add_subparsers(dest="alert_command", metavar="ALERT_COMMAND", required=True)
    resend = command(
        sub,
        "resend",
        _resend,
        "send an alert's notification again (after 'delivery unknown' or 'failed')",
    )
    resend.add_argument("alert", type=int, metavar="ALERT_ID", help="the alert's number")


def _resend(args: argparse.Namespace, ctx: Ctx) -> int:
    from ..desk.database import RESENDABLE

    queued, record = ctx.desk().alerts.resend(args.alert)
    if record is None:
        raise CliError(f"no alert {args.alert}")
    if not queued and record.withdrawn:
        raise CliError(
            f"alert {record.id} is withdrawn ({record.withdrawn_reason}): nothing to send"
        )
    if not queued:
        state = record.notify_state or "not sent yet"
        raise CliError(
            f"alert {record.id} is {state}: only a delivery that is "
            f"{' or '.join(RESENDABLE)} is sent again"
        )
    print(
        f"alert {record.id} ({record.threshold} {record.clock} of {record.ref}): "
        f"queued by {ctx.user}; the next watcher or console with a notify command sends it"
    )
    return 0
