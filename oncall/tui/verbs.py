"""Running the desk's verbs for the console's keys and forms: ``DeskVerbs``.

A key's action on the main screen (``verb('respond')``) runs its command
(``commands.KEYS["respond"]``): most open their form on the fault under the
cursor, and the form calls the desk's verb as a typed call,
``lambda desk: desk.faults.respond(ref, ...)``, through ``DeskVerbs.perform``. That runs
it on the backend thread, says a refusal, and hands the fault the verb returned
to ``DeskSync.fault_changed`` with the fault's view the verb's own transaction built
(``Desk.changed``), which repaints its row and the detail from it (no read after)::

    r -> binding "respond" -> MainScreen.action_verb("respond") -> KEYS["respond"]: RESPOND
      -> OnFault(RespondForm).run -> RespondForm
      -> DeskVerbs.perform(lambda desk: desk.faults.respond(...))
      -> Backend.call(Desk.changed, call) -> Faults.respond -> Changed(summary, view)
      -> DeskSync.fault_changed(ref, view) -> the row, the detail
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..i18n import _
from . import fmt
from .db_health import one_line
from .forms.context import FormContext, Refusal

if TYPE_CHECKING:
    from ..desk import Desk, EngineerInfo, FaultSummary, FaultView
    from ..sla import Policy
    from .forms.base import FormScreen
    from .main_screen import MainScreen

R = TypeVar("R")


class Command(Protocol):
    """What a key does (``commands.py``), run by ``DeskVerbs.run``."""

    async def run(self, verbs: DeskVerbs) -> None: ...


class DeskVerbs:
    """Runs the desk's verbs for the keys and the forms (``forms.base.DeskActions``)."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.refusal = Refusal()  # why the last ``perform`` returned None

    @property
    def policy(self) -> Policy | None:
        desk = self.screen.backend.desk
        return desk.policy if desk is not None else None

    async def run(self, command: Command) -> None:
        await command.run(self)

    def current(self) -> FaultSummary | None:
        """The fault under the cursor (the freshest we have)."""
        screen = self.screen
        ref = screen.queue.cursor_ref
        if ref is None:
            return None
        if screen.view is not None and screen.view.fault.ref == ref:
            return screen.view.fault
        row = screen.queue.row(ref)
        return getattr(row.item, "fault", None) if row is not None else None

    async def perform(self, call: Callable[[Desk], R], *, notice: str = "") -> R | None:
        """``call(desk)`` on the backend thread; the fault it returns shown anew. On a
        refusal, say it and reload; None then. The database out of reach (or damaged) is
        no refusal: the header says so and ``refusal.unreachable`` tells the form that
        nothing was saved."""
        screen = self.screen
        self.refusal = Refusal()
        try:
            desk = screen.backend.desk
            if desk is None:
                raise RuntimeError("the desk is not open yet")
            changed = await screen.backend.call(desk.changed, call)
        except Exception as exc:
            if not screen.health.failed(exc, write=True):
                self._refused(exc)
                return None
            # Nothing was written: the form stays open with what was typed.
            self.refusal = Refusal(one_line(exc), unreachable=True)
            screen.notify(
                fmt.safe(self.refusal.text),
                title=_("Not saved"),
                severity="error",
                timeout=12,
                markup=False,
            )
            return None
        if notice:
            screen.notify(notice, markup=False)
        from ..desk.views import changed_ref

        result = changed.result
        if self._took_customer(result):
            return result  # no fault changed: the queue stays as it is
        ref = changed_ref(result)
        sync = screen.sync
        screen.run_worker(
            sync.fault_changed(ref, changed.view) if ref else sync.reload(), group="reload"
        )
        return result

    def _refused(self, exc: Exception) -> None:
        """A refusal by the desk (notify, reload) or another failure (notify)."""
        from ..desk import DeskError

        screen = self.screen
        if isinstance(exc, DeskError):
            self.refusal = Refusal(fmt.refusal(exc))  # in the console's language
            title = _("Refused")
            screen.run_worker(screen.sync.reload(), group="reload")
        else:  # a database failure: say it, keep the console up
            self.refusal = Refusal(f"{type(exc).__name__}: {exc}")
            title = _("Error")
        screen.notify(
            fmt.safe(self.refusal.text), title=title, severity="error", timeout=12, markup=False
        )

    async def fresh_fault(self, ref: str) -> FaultSummary | None:
        desk = self.screen.backend.desk
        try:
            return None if desk is None else await self.screen.backend.call(desk.reads.fault, ref)
        except Exception:
            return None

    async def fresh_view(self, ref: str) -> FaultView | None:
        desk = self.screen.backend.desk
        try:
            return (
                None if desk is None else await self.screen.backend.call(desk.reads.fault_view, ref)
            )
        except Exception:
            return None

    async def fresh_roster(self) -> list[EngineerInfo]:
        """The roster as stored now (who is on duty changes during a shift)."""
        screen = self.screen
        opened, desk = screen.session.opened, screen.backend.desk
        if opened is None or desk is None:
            return []
        try:
            engineers = await screen.backend.call(desk.roster.all)
        except Exception:  # keep what we have; the form still opens
            return list(opened.engineers)
        opened.engineers = engineers
        screen.detail.engineers = list(engineers)
        return engineers

    async def fresh_customers(self) -> None:
        """The customers as stored now (one may have been added by the CLI meanwhile)."""
        screen = self.screen
        opened, desk = screen.session.opened, screen.backend.desk
        if opened is None or desk is None:
            return
        try:
            opened.customers = await screen.backend.call(desk.customers.all)
        except Exception:  # keep what we have; the form still opens
            return

    def _took_customer(self, result: object) -> bool:
        """True when ``result`` is a customer as a verb left it (a system added): it
        replaces the console's copy, which the forms get (``form_context``), so the
        intake form offers the new system at once."""
        from ..desk import CustomerInfo

        opened = self.screen.session.opened
        if not isinstance(result, CustomerInfo):
            return False
        if opened is not None:
            opened.customers = [result if c.name == result.name else c for c in opened.customers]
        return True

    def select_after_reload(self, ref: str) -> None:
        """Put the cursor on ``ref`` once it shows up (a fault just logged)."""
        if not self.screen.queue.move_to_ref(ref):
            self.screen.sync.want_ref = ref

    def form_context(self) -> FormContext:
        """What a form knows of the console (its actions: these)."""
        screen = self.screen
        opened = screen.session.opened
        return FormContext(
            actions=self,
            tz=screen.tz,
            clock=screen.clock,
            me=screen.user,
            engineers=list(opened.engineers) if opened else [],
            customers=list(opened.customers) if opened else [],
            policy=self.policy,
        )

    def open_form(self, form: FormScreen, defaults: Mapping[str, str] | None = None) -> None:
        form.defaults = dict(defaults or {})
        self.screen.app.push_screen(form)

    def say(self, text: str) -> None:
        self.screen.notify(text, markup=False)
