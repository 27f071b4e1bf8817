"""The main screen's desk session: opening the desk, who the user is, the demo offer,
the calendar years ahead.

Opening comes in two steps, both on the backend thread (``backend``): first the
open queue read straight from the database file, when it can be (before the
database libraries are imported), then the desk itself, whose queue replaces it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from ..i18n import N_, _
from . import fmt
from .backend import names_of, open_and_load, open_and_prepare, peek_and_prepare
from .db_health import check_file
from .filters import QueueFilter

if TYPE_CHECKING:
    from ..desk import Desk
    from ..sla import Policy
    from .backend import Opened
    from .main_screen import MainScreen

# What the queue says while the demo data loads, per stage of ``load_demo``.
DEMO_STAGES = {
    "people": N_("the roster and the customers"),
    "faults": N_("the faults, their work and their clocks"),
    "write": N_("writing them to the database"),
    "tally": N_("counting what was written"),
}


class DeskSession:
    """The desk as the main screen opened it (``opened``: roster and customers)."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.opened: Opened | None = None
        self._calendar_day: date | None = None  # the desk's date when last checked

    def start(self) -> None:
        """Open the desk, once the first frame is out: importing the database and
        calendar libraries on the backend thread would hold the GIL against it."""
        self.screen.run_worker(self._open(), group="open", exclusive=True)

    async def _open(self) -> None:
        screen = self.screen
        backend, sync = screen.backend, screen.sync
        quick = await backend.call(peek_and_prepare, screen.opener, screen.clock)
        if quick is None:
            screen._mount_footer()
        else:
            peeked, names, view = quick
            screen.tz = screen.header.tz = screen.detail.tz = peeked.policy.timezone
            screen.detail.policy = peeked.policy
            screen.header.database = screen.database or peeked.database
            sync.names = screen.detail.names = names
            if sync.filter == QueueFilter():  # as prepared (a filter set meanwhile: redo)
                sync.show(view)
            else:
                sync.redo(peeked.queue)
            await screen.wait_for_refresh()  # that frame out before the imports take the GIL
            screen._mount_footer()
        try:
            opened, view = await backend.call(
                open_and_prepare, screen.opener, screen.user, screen.clock
            )
        except Exception as exc:  # the desk's refusals and database failures alike
            message = fmt.safe(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            if quick is not None:  # rows that would never be brought up to date
                screen.queue.apply_rows([])
            screen.queue.set_note(_("Cannot open the desk: {error}").format(error=message))
            self.banner(_("Cannot open the desk: {error}").format(error=message), "error")
            screen.ready.set()
            return
        backend.desk = opened.desk
        self.opened = opened
        desk = opened.desk
        screen.tz = screen.header.tz = screen.detail.tz = desk.policy.timezone
        screen.header.database = screen.database or database_label(desk)
        screen.detail.policy = desk.policy
        self.people(opened)
        if sync.filter == QueueFilter():  # as prepared (a filter set meanwhile: redo)
            sync.show(view)
        else:
            sync.redo(opened.queue)
        if quick is not None and screen.queue.cursor_ref is not None:
            # its fault was highlighted before the desk could read it
            sync.views.later(screen.queue.cursor_ref)
        sync.opened(opened.last_change)
        self.check_calendar(screen.clock.now())
        screen.refresh_keys()
        if screen.ticking:
            screen.set_interval(1.0, screen.tick_now, name="tick")
        screen.run_worker(check_file(screen.health, desk), group="check")
        if opened.empty:
            from .confirm import ConfirmScreen

            screen.app.push_screen(
                ConfirmScreen(
                    _("This database is empty."),
                    _("Load the demo data (customers, engineers, about 40 open faults)?")
                    + "\n"
                    + _("You ({user}) will be put on the roster.").format(
                        user=fmt.safe(screen.user)
                    ),
                ),
                self._demo_answer,
            )
        screen.ready.set()

    def people(self, opened: Opened) -> None:
        """Who is on the roster, and whether the user may act (a banner says why not)."""
        screen = self.screen
        names = names_of(opened.engineers)
        screen.sync.names = screen.detail.names = names
        screen.detail.engineers = list(opened.engineers)
        screen.read_only = opened.me is None
        screen.sync.me = None if screen.read_only else screen.user
        screen.header.read_only = screen.read_only
        refused = opened.refused_claim
        if refused is not None:
            self.banner(
                _(
                    "Read-only: {real} is not a roster lead, so cannot act as {user} "
                    "(ONCALL_USER). Unset it to act as yourself."
                ).format(real=fmt.safe(refused.real_user), user=fmt.safe(refused.claimed)),
                "warning",
            )
        elif screen.read_only:
            self.banner(
                _(
                    "Read-only: {user} is not on the engineers' roster. To be added, ask a lead "
                    "to run: oncall engineer add {user} --name NAME --seniority engineer"
                ).format(user=fmt.safe(screen.user)),
                "warning",
            )
        else:
            self.banner("", "")

    def banner(self, text: str, kind: str) -> None:
        """The line under the header ("" hides it); ``kind``: "warning" or "error"."""
        from textual.widgets import Static

        banner = self.screen.query_one("#banner", Static)
        banner.update(text)
        banner.set_class(bool(text), "-shown")
        banner.set_class(kind == "error", "-error")

    def _demo_answer(self, yes: bool | None) -> None:
        if yes:
            self.screen.queue.set_note(_("loading the demo data…"))
            self.screen.run_worker(self._load_demo(), group="demo", exclusive=True)

    async def _load_demo(self) -> None:
        screen = self.screen

        def progress(stage: str) -> None:  # on the backend thread
            note = _("loading the demo data: {stage}…").format(stage=_(DEMO_STAGES[stage]))
            screen.app.call_from_thread(screen.queue.set_note, note)

        def load(desk: Desk) -> Opened:
            from ..desk.demo import load_demo

            load_demo(desk, progress=progress)
            return open_and_load(lambda: desk)

        desk = screen.backend.desk
        try:
            if desk is None:
                raise RuntimeError("the desk is not open yet")
            opened = await screen.backend.call(load, desk)
        except Exception as exc:
            screen.notify(fmt.safe(str(exc)), title=_("Demo data"), severity="error", markup=False)
            return
        self.opened = opened
        self.people(opened)
        screen.sync.last_change = opened.last_change
        screen.sync.redo(opened.queue)
        screen.refresh_keys()
        screen.notify(_("Demo data loaded."), markup=False)

    def check_calendar(self, now: datetime) -> None:
        """Once a day: which calendar years ahead are not known (a header warning)."""
        screen = self.screen
        desk = screen.backend.desk
        day = now.astimezone(screen.tz).date() if screen.tz is not None else None
        if desk is None or day is None or day == self._calendar_day:
            return
        self._calendar_day = day
        screen.run_worker(self._read_calendar(desk.policy, now), group="calendar")

    async def _read_calendar(self, policy: Policy, now: datetime) -> None:
        # On the backend thread: a year not worked out yet loads the holidays package.
        header = self.screen.header
        unknown = await self.screen.backend.call(policy.unknown_years, now)
        header.unknown_years = [(u.calendar, u.year) for u in unknown]
        header.show()


def database_label(desk: Desk) -> str:
    """The database as the header names it: ``sqlite:PATH``, or the URL without password."""
    try:
        url = desk.engine.url
        if url.get_backend_name() == "sqlite" and url.database:
            return f"sqlite:{url.database}"
        return url.render_as_string(hide_password=True)
    except Exception:
        return ""
