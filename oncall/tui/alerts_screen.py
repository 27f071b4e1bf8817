"""The alerts screen: every alert, newest first; acknowledge one (a) or all (A); Esc back.

The Notify column says what became of the notify command: not sent (yet),
sending, sent, failed, or "delivery unknown" (its sender died mid-send: the
page may or may not have gone out). Those last two are never sent again by
themselves; R sends the one under the cursor again, deliberately.

A withdrawn alert (an entry logged after the fact showed its clock stopped in
time) stays in the list, dimmed and marked withdrawn in its Alert cell; it is
not counted as unacknowledged and is never sent.

The list comes from the alert service (read on its own thread) and is read
again when an alert fires or the unacknowledged count changes (another
console acknowledged). The cursor stays on the same alert across reloads.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ..i18n import N_, _
from ..resources import styles_path
from . import actions, fmt
from .alerts_bridge import threshold_name
from .keybar import KeyBar
from .translate import translate_bindings

if TYPE_CHECKING:
    from ..alerts import AlertRecord, AlertService

LIMIT = 200
_STYLE = {"warning": "", "critical": "bold", "breach": "bold reverse"}
_NOTIFY = {
    None: N_("not sent"),
    "sending": N_("sending"),
    "sent": N_("sent"),
    "failed": N_("failed"),
    "unknown": N_("delivery unknown"),
}
_NOTIFY_STYLE = {"failed": "bold", "unknown": "bold reverse"}
WITHDRAWN_STYLE = "dim"


class AlertsScreen(Screen):
    CSS_PATH = styles_path("alerts.tcss")
    BINDINGS = actions.bindings(actions.ALERTS)
    KEYS_SCREEN = actions.ALERTS

    def __init__(self, service: AlertService | None, *, limit: int = LIMIT) -> None:
        super().__init__()
        translate_bindings(self)
        self.service = service
        self.limit = limit
        self.alerts: list[AlertRecord] = []

    def compose(self) -> ComposeResult:
        yield Static(_("Alerts, newest first"), id="alerts-title", markup=False)
        yield DataTable(id="alerts-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="alerts-note", markup=False)
        yield KeyBar(id="footer")

    @property
    def table(self) -> DataTable:
        return self.query_one("#alerts-table", DataTable)

    def on_mount(self) -> None:
        self.table.add_columns(
            " ",
            _("Fired"),
            _("Alert"),
            _("Fault"),
            _("Clock"),
            _("Deadline"),
            _("Late"),
            _("Notify"),
            _("Customer"),
            _("Title"),
            _("Acknowledged"),
        )
        self.call_after_refresh(self.refresh_keys)
        if self.service is None:
            self._note(_("Alerts are not running in this console."))
            return
        for listeners in self._listeners():
            listeners.append(self._changed)
        self.reload_soon()

    def _listeners(self) -> tuple[list, ...]:
        return (self.service.on_alert, self.service.on_count, self.service.on_withdrawn)

    def on_unmount(self) -> None:
        if self.service is None:
            return
        for listeners in self._listeners():
            if self._changed in listeners:
                listeners.remove(self._changed)

    def _changed(self, *_args: object) -> None:  # any listener's arguments
        if self.is_attached:
            self.reload_soon()

    def reload_soon(self) -> None:
        self.run_worker(self.reload(), exclusive=True, group="alerts-screen")

    async def reload(self) -> None:
        if self.service is None or not self.service.running:
            self._note(_("Alerts are not running in this console."))
            return
        try:
            alerts = await self.service.recent(self.limit)
        except Exception as exc:  # noqa: BLE001 - a database hiccup: say so, keep the list
            self._note(_("Cannot read the alerts: {error}").format(error=fmt.safe(str(exc))))
            return
        self.show(alerts)

    def show(self, alerts: list[AlertRecord]) -> None:
        table = self.table
        current = self.cursor_alert()
        self.alerts = alerts
        tz = self.service.tz
        table.clear()
        for alert in alerts:
            table.add_row(*alert_cells(alert, tz), key=str(alert.id))
        if current is not None:
            ids = [a.id for a in alerts]
            if current in ids:
                table.move_cursor(row=ids.index(current))
        unacked = sum(1 for a in alerts if a.acked_at is None and not a.withdrawn)
        unknown = sum(1 for a in alerts if a.notify_state == "unknown")
        withdrawn = sum(1 for a in alerts if a.withdrawn)
        if not alerts:
            note = _("No alerts yet.")
        else:
            note = _("{count} alerts shown, {unacked} not acknowledged.").format(
                count=len(alerts), unacked=unacked
            )
        if unknown:
            note += " " + _("{unknown} with delivery unknown: R sends one again.").format(
                unknown=unknown
            )
        if withdrawn:
            note += " " + _(
                "{withdrawn} withdrawn: a later entry shows their clocks stopped in time."
            ).format(withdrawn=withdrawn)
        if self.read_only:
            note += " " + _("Read-only: only a roster engineer can acknowledge alerts.")
        self._note(note)

    def cursor_alert(self) -> int | None:
        """The id of the alert under the cursor."""
        table = self.table
        if not self.alerts or table.row_count == 0:
            return None
        row = min(max(table.cursor_row, 0), len(self.alerts) - 1)
        return self.alerts[row].id

    def _note(self, text: str) -> None:
        self.query_one("#alerts-note", Static).update(text)

    async def action_acknowledge(self) -> None:
        chosen = self.cursor_alert()
        if chosen is None or self.service is None:
            return
        await self._acknowledge([chosen])

    async def action_acknowledge_all(self) -> None:
        if self.service is not None:
            await self._acknowledge(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("acknowledge", "acknowledge_all", "resend") and self.read_only:
            return None  # shown disabled: acknowledging and resending are a roster engineer's
        return True

    @property
    def read_only(self) -> bool:
        main = getattr(self.app, "main", None)
        return bool(getattr(main, "read_only", False))

    async def _acknowledge(self, ids: list[int] | None) -> None:
        try:
            await self.service.acknowledge(ids)
        except Exception as exc:  # noqa: BLE001 - refused by the database: say so
            self.notify(
                _("Cannot acknowledge: {error}").format(error=fmt.safe(str(exc))),
                severity="error",
                markup=False,
            )
            return
        await self.reload()

    async def action_resend(self) -> None:
        """Send the alert under the cursor again (its delivery unknown or failed)."""
        chosen = self.cursor_alert()
        if chosen is None or self.service is None:
            return
        try:
            record, queued = await self.service.resend(chosen)
        except Exception as exc:  # noqa: BLE001 - refused by the database: say so
            self.notify(
                _("Cannot resend: {error}").format(error=fmt.safe(str(exc))),
                severity="error",
                markup=False,
            )
            return
        if queued:
            self.notify(_("Alert {id} will be sent again.").format(id=chosen), markup=False)
        else:
            self.notify(
                _("Only an alert whose delivery is unknown or failed is sent again."),
                severity="warning",
                markup=False,
            )
        await self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    def refresh_keys(self) -> None:
        """The footer: this screen's keys that work now, from the action table."""
        for bar in self.query(KeyBar):
            bar.show_keys(self, actions.ALERTS)


def alert_cells(alert: AlertRecord, tz: tzinfo | None) -> list[str | Text]:
    """One row of the list; a withdrawn alert dimmed, its Alert cell saying so."""
    acked = (
        f"{fmt.safe(alert.acked_by or '')} {fmt.short_when(alert.acked_at, tz)}"
        if alert.acked_at is not None
        else "-"
    )
    name = threshold_name(alert.threshold)
    first = Text(name, style=_STYLE.get(alert.threshold, ""))
    if alert.withdrawn:
        first = Text(name + " · " + _("withdrawn"))
    cells: list[str | Text] = [
        "●" if alert.acked_at is None and not alert.withdrawn else " ",
        fmt.short_when(alert.fired_at, tz),
        first,
        alert.ref,
        fmt.clock_name(alert.clock),
        fmt.short_when(alert.deadline, tz),
        fmt.duration(int(alert.late_seconds)) if alert.late else "",
        notify_cell(alert.notify_state),
        fmt.safe(alert.customer),
        fmt.safe(alert.title),
        acked,
    ]
    if not alert.withdrawn:
        return cells
    plain = (c.plain if isinstance(c, Text) else str(c) for c in cells)
    return [Text(text, style=WITHDRAWN_STYLE) for text in plain]


def notify_cell(state: str | None) -> Text:
    """What became of the notify command, as the Notify column shows it."""
    return Text(_(_NOTIFY.get(state, state or "")), style=_NOTIFY_STYLE.get(state, ""))
