"""One command per key of the desk's verbs, from the key to its form (or the desk).

``KEYS`` maps each action name of the main screen's bindings to its command;
the forms are imported here, so this module loads on the first verb key (not
before the console's first frame).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..i18n import N_, _
from . import fmt
from .forms.base import FaultForm, ViewForm
from .forms.intake import IntakeForm
from .forms.record import RecordForm
from .forms.system import SystemForm
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
from .verbs import Command, DeskVerbs

if TYPE_CHECKING:
    from ..desk import FaultView


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
        defaults: dict[str, str] = {}
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
            lambda desk: desk.faults.assign(fault.ref, me, version=fault.version),
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
    """The intake form: a new fault (the customers read first: one added by the CLI or
    another console since this one opened is offered too)."""

    async def run(self, verbs: DeskVerbs) -> None:
        await verbs.fresh_customers()
        verbs.open_form(IntakeForm(verbs.form_context()))


@dataclass(frozen=True)
class AddSystem:
    """A system more for a customer: the customers read first (one added by the CLI
    since the console opened is offered too), the fault under the cursor's the default."""

    async def run(self, verbs: DeskVerbs) -> None:
        await verbs.fresh_customers()
        fault = verbs.current()
        customer = fault.customer if fault is not None else None
        verbs.open_form(SystemForm(verbs.form_context(), customer))


@dataclass(frozen=True)
class ShowReport:
    """The fault's report for the customer: shown, and written as a printable page
    (``report_screen``; read and written on the backend thread)."""

    async def run(self, verbs: DeskVerbs) -> None:
        from ..report.files import folder
        from .report_screen import ReportScreen, make

        fault, screen = verbs.current(), verbs.screen
        desk = screen.backend.desk
        if fault is None or desk is None:
            return
        try:
            made = await screen.backend.call(make, desk, fault.ref, folder())
        except Exception as exc:  # the database out of reach: the header says so too
            screen.health.failed(exc, write=False)
            verbs.say(_("No report: {why}").format(why=fmt.safe(str(exc).splitlines()[0])))
            return
        screen.app.push_screen(ReportScreen(made))


@dataclass(frozen=True)
class ShowArchive:
    """The archive of the fault's customer (``archive_screen``; read on the backend thread)."""

    async def run(self, verbs: DeskVerbs) -> None:
        fault = verbs.current()
        if fault is not None:
            await show_archive(verbs, fault.customer)


@dataclass(frozen=True)
class ShowCustomers:
    """The customer list (read now); Enter on one shows its archive."""

    async def run(self, verbs: DeskVerbs) -> None:
        from .archive_screen import CustomersScreen

        screen = verbs.screen
        if screen.backend.desk is None:
            return
        await verbs.fresh_customers()
        opened = screen.session.opened
        customers = list(opened.customers) if opened is not None else []
        now = screen.clock.now()
        today = now.astimezone(screen.tz).date() if screen.tz else now.date()
        screen.app.push_screen(
            CustomersScreen(customers, today, lambda name: show_archive(verbs, name))
        )


async def show_archive(verbs: DeskVerbs, name: str) -> None:
    """Read customer ``name``'s archive and show it (or say why not)."""
    from .archive_screen import ArchiveScreen

    screen = verbs.screen
    desk = screen.backend.desk
    if desk is None:
        return
    try:
        archive = await screen.backend.call(desk.customers.archive, name)
    except Exception as exc:
        screen.health.failed(exc, write=False)
        verbs.say(_("No archive: {why}").format(why=fmt.safe(str(exc).splitlines()[0])))
        return
    screen.app.push_screen(ArchiveScreen(archive, screen.tz))


def _signable(view: FaultView) -> bool:
    return any(w.mode == "onsite" and not w.signed for w in view.work)


def _ongoing(view: FaultView) -> bool:
    return any(w.end is None for w in view.work)


# One command per key of the main screen (its action of the same name).
NEW_FAULT = NewFault()
ADD_SYSTEM = AddSystem()
NEXT_STEP = NextStep()
RESPOND = OnFault(RespondForm)
PROPOSE = OnFault(SolutionForm)
ASSIGN = OnFault(AssignForm, roster=True)
ESCALATE = OnFault(EscalateForm, roster=True)
LEVEL = OnFault(LevelForm)
RESOLVE = OnFault(ResolveForm)
CLOSE = OnFault(CloseForm)
REOPEN = OnFault(ReopenForm)
PAUSE_RESUME = PauseOrResume()
TAKE = Take()
REPORT = ShowReport()
ARCHIVE = ShowArchive()
CUSTOMERS = ShowCustomers()
WORK = OnView(WorkForm, next_mode=True)
WORK_END = OnView(EndWorkForm, needs=_ongoing, missing=N_("{ref} has no work going on."))
RECORD = OnView(RecordForm)
SIGN_OFF = OnView(
    SignOffForm,
    needs=_signable,
    missing=N_("{ref} has no on-site work waiting for the customer's sign-off."),
)

# The main screen's verb keys, by their action's name (``verb('respond')``): a desk
# verb's name (``oncall/verbs.py``) or a command of the console's own (new, take ...).
KEYS: dict[str, Command] = {
    "new": NEW_FAULT,
    "add-system": ADD_SYSTEM,
    "next": NEXT_STEP,
    "respond": RESPOND,
    "propose": PROPOSE,
    "assign": ASSIGN,
    "take": TAKE,
    "work": WORK,
    "work-end": WORK_END,
    "escalate": ESCALATE,
    "pause": PAUSE_RESUME,
    "level": LEVEL,
    "record": RECORD,
    "resolve": RESOLVE,
    "sign-off": SIGN_OFF,
    "close": CLOSE,
    "reopen": REOPEN,
    "report": REPORT,
    "archive": ARCHIVE,
    "customers": CUSTOMERS,
}

# The form each next-step action (``desk.next_step``: a verb's name) opens.
STEP_FORMS: dict[str, type[FaultForm]] = {
    "assign": AssignForm,
    "respond": RespondForm,
    "propose": SolutionForm,
    "work": WorkForm,
    "resolve": ResolveForm,
    "escalate": EscalateForm,
    "resume": ResumeForm,
    "sign-off": SignOffForm,
    "work-end": EndWorkForm,
    "record": RecordForm,
    "close": CloseForm,
}
