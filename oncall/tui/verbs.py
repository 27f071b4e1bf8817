"""The desk's verbs on the console's keys: one command per key, from the key to the desk.

A key's action on the main screen (``action_respond``) runs its command here
(``KEYS["respond"]``, ``RESPOND``): most open their form on the fault under the cursor, and the form
calls the desk's verb as a typed call, ``lambda desk: desk.respond(ref, ...)``,
through ``DeskVerbs.perform``. That runs it on the backend thread, says a
refusal, and hands the fault the verb returned to ``DeskSync.fault_changed``,
which reads that fault's view once and repaints its row and the detail::

    r -> binding "respond" -> MainScreen.action_respond -> KEYS["respond"]: RESPOND
      -> OnFault(RespondForm).run -> RespondForm
      -> DeskVerbs.perform(lambda desk: desk.respond(...)) -> Backend.call -> Desk.respond
      -> DeskSync.fault_changed(ref) -> Desk.fault_view(ref) -> the row, the detail
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..i18n import N_, _
from . import fmt
from .db_health import one_line
from .forms.base import FaultForm, FormContext, FormScreen, Refusal, ViewForm
from .forms.intake import IntakeForm
from .forms.record import RecordForm
from .forms.verbs import (
    AssignForm,
    CloseForm,
    EscalateForm,
    LevelForm,
    PauseForm,
    ReopenForm,
    ResolveForm,
    RespondForm,
    ResumeForm,
    SolutionForm,
)
from .forms.work import EndWorkForm, SignOffForm, WorkForm

if TYPE_CHECKING:
    from ..desk import Desk, EngineerInfo, FaultSummary, FaultView
    from ..sla import Policy
    from .main_screen import MainScreen

R = TypeVar("R")


class Command(Protocol):
    """What a key does (``DeskVerbs.run``)."""

    async def run(self, verbs: DeskVerbs) -> None: ...


@dataclass(frozen=True)
class OnFault:
    """Open ``form`` on the fault under the cursor (``roster``: who is on duty read first)."""

    form: type[FaultForm]
    roster: bool = False

    async def run(self, verbs: DeskVerbs) -> None:
        if self.roster:
            await verbs.fresh_roster()  # who is on duty, as of now
        fault = verbs.current()
        if fault is not None:
            verbs.open_form(self.form(verbs.form_context(), fault))


@dataclass(frozen=True)
class PauseOrResume:
    """Pause a fault (waiting on the customer), or resume a waiting one."""

    async def run(self, verbs: DeskVerbs) -> None:
        fault = verbs.current()
        if fault is not None:
            form = ResumeForm if fault.status == "waiting" else PauseForm
            verbs.open_form(form(verbs.form_context(), fault))


@dataclass(frozen=True)
class OnView:
    """Open ``form``, which needs the fault's whole view, read now. ``next_mode``: in the
    mode of work the next step asks for (on site once the remote-fix window ran out);
    ``needs``: what the view must hold, else ``missing`` is said instead."""

    form: type[ViewForm]
    next_mode: bool = False
    needs: Callable[[FaultView], bool] | None = field(default=None, compare=False)
    missing: str = ""  # msgid with {ref}

    async def run(self, verbs: DeskVerbs) -> None:
        fault = verbs.current()
        if fault is None:
            return
        view = await verbs.fresh_view(fault.ref)
        if view is None:
            return
        defaults = {}
        policy = verbs.policy
        if self.next_mode and policy is not None:
            from ..desk.next_step import next_step

            mode = next_step(view, policy).mode
            defaults = {"mode": mode} if mode else {}
        if self.needs is not None and not self.needs(view):
            verbs.say(_(self.missing).format(ref=fmt.safe(fault.ref)))
            return
        verbs.open_form(self.form(verbs.form_context(), view.fault, view), defaults)


@dataclass(frozen=True)
class Take:
    """Assign the fault under the cursor to the user, at once."""

    async def run(self, verbs: DeskVerbs) -> None:
        fault, me = verbs.current(), verbs.screen.user
        if fault is None:
            return
        if fault.assignee == me:
            verbs.say(_("{ref} is already yours.").format(ref=fmt.safe(fault.ref)))
            return
        await verbs.perform(
            lambda desk: desk.assign(fault.ref, me, version=fault.version),
            notice=_("{ref} assigned to you.").format(ref=fmt.safe(fault.ref)),
        )


@dataclass(frozen=True)
class NextStep:
    """Open the form of the fault's next step (``desk.next_step``), pre-filled."""

    async def run(self, verbs: DeskVerbs) -> None:
        from ..desk.next_step import describe, next_step
        from .next_step import form_defaults, words

        fault, policy = verbs.current(), verbs.policy
        if fault is None or policy is None:
            return
        view = await verbs.fresh_view(fault.ref)
        if view is None:
            return
        engineers = await verbs.fresh_roster()
        step = next_step(view, policy, engineers)
        form = STEP_FORMS.get(step.action or "")
        tz = verbs.screen.tz
        if form is None:  # nothing the console can do for it (closed, nobody to escalate to)
            verbs.say(f"{fmt.safe(fault.ref)}: {describe(step, view.now, words(tz))}")
            return
        ctx = verbs.form_context()
        opened = (
            form(ctx, view.fault, view) if issubclass(form, ViewForm) else form(ctx, view.fault)
        )
        verbs.open_form(opened, form_defaults(step, tz))


@dataclass(frozen=True)
class NewFault:
    """The intake form: a new fault."""

    async def run(self, verbs: DeskVerbs) -> None:
        verbs.open_form(IntakeForm(verbs.form_context()))


def _signable(view: FaultView) -> bool:
    return any(w.mode == "onsite" and not w.signed for w in view.work)


def _ongoing(view: FaultView) -> bool:
    return any(w.end is None for w in view.work)


# One command per key of the main screen (its action of the same name).
NEW_FAULT = NewFault()
NEXT_STEP = NextStep()
RESPOND = OnFault(RespondForm)
SOLUTION = OnFault(SolutionForm)
ASSIGN = OnFault(AssignForm, roster=True)
ESCALATE = OnFault(EscalateForm, roster=True)
LEVEL = OnFault(LevelForm)
RESOLVE = OnFault(ResolveForm)
CLOSE = OnFault(CloseForm)
REOPEN = OnFault(ReopenForm)
PAUSE_RESUME = PauseOrResume()
TAKE = Take()
WORK = OnView(WorkForm, next_mode=True)
END_WORK = OnView(EndWorkForm, needs=_ongoing, missing=N_("{ref} has no work going on."))
RECORD = OnView(RecordForm)
SIGN_OFF = OnView(
    SignOffForm,
    needs=_signable,
    missing=N_("{ref} has no on-site work waiting for the customer's sign-off."),
)

# The keys of the desk's verbs: the main screen's action of that name runs the command.
KEYS: dict[str, Command] = {
    "new_fault": NEW_FAULT,
    "next_step": NEXT_STEP,
    "respond": RESPOND,
    "solution": SOLUTION,
    "assign": ASSIGN,
    "take": TAKE,
    "work": WORK,
    "end_work": END_WORK,
    "escalate": ESCALATE,
    "pause_resume": PAUSE_RESUME,
    "level": LEVEL,
    "record": RECORD,
    "resolve": RESOLVE,
    "sign_off": SIGN_OFF,
    "close": CLOSE,
    "reopen": REOPEN,
}

# The form each next-step action (``desk.next_step``) opens.
STEP_FORMS: dict[str, type[FaultForm]] = {
    "assign": AssignForm,
    "respond": RespondForm,
    "solution": SolutionForm,
    "work": WorkForm,
    "resolve": ResolveForm,
    "escalate": EscalateForm,
    "pause_resume": ResumeForm,
    "sign_off": SignOffForm,
    "end_work": EndWorkForm,
    "record": RecordForm,
    "close": CloseForm,
}


def changed_fault(result: object) -> str | None:
    """The fault a verb's result is, or belongs to (a work entry's)."""
    from ..desk import FaultSummary, WorkEntry

    if isinstance(result, FaultSummary):
        return result.ref
    if isinstance(result, WorkEntry):
        return result.fault_ref
    return None


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
            result = await screen.backend.call(call, desk)
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
        ref = changed_fault(result)
        sync = screen.sync
        screen.run_worker(sync.fault_changed(ref) if ref else sync.reload(), group="reload")
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
            return None if desk is None else await self.screen.backend.call(desk.fault, ref)
        except Exception:
            return None

    async def fresh_view(self, ref: str) -> FaultView | None:
        desk = self.screen.backend.desk
        try:
            return None if desk is None else await self.screen.backend.call(desk.fault_view, ref)
        except Exception:
            return None

    async def fresh_roster(self) -> list[EngineerInfo]:
        """The roster as stored now (who is on duty changes during a shift)."""
        screen = self.screen
        opened, desk = screen.session.opened, screen.backend.desk
        if opened is None or desk is None:
            return []
        try:
            engineers = await screen.backend.call(desk.list_engineers)
        except Exception:  # keep what we have; the form still opens
            return list(opened.engineers)
        opened.engineers = engineers
        screen.detail.engineers = list(engineers)
        return engineers

    def select_after_reload(self, ref: str) -> None:
        """Put the cursor on ``ref`` once it shows up (a fault just logged)."""
        if not self.screen.queue.move_to_ref(ref):
            self.screen.sync.want_ref = ref

    def form_context(self) -> FormContext:
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

    def open_form(self, form: FormScreen, defaults: Mapping[str, object] | None = None) -> None:
        form.defaults = dict(defaults or {})
        self.screen.app.push_screen(form)

    def say(self, text: str) -> None:
        self.screen.notify(text, markup=False)
