"""The short forms: respond, solution, assign, escalate, pause, resume, level,
resolve, close, reopen. Each one calls one desk verb with the version seen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...i18n import N_, _
from ...vocabulary import CHANNELS, RESPONSE_HOW
from .. import fmt
from .base import FaultForm, Field, FieldValue, FormScreen, Values

if TYPE_CHECKING:
    from ...desk import FaultSummary


def _at(form: FormScreen, label: str | None = None) -> Field:
    return Field(
        "at",
        label or _("When"),
        "time",
        fmt.time_input(form.ctx.now(), form.ctx.tz),
        required=True,
        hint=_("Desk time; now unless it happened earlier."),
    )


class RespondForm(FaultForm):
    heading = N_("First response to the customer")

    def fields(self) -> list[Field]:
        how = self.fault.channel if self.fault.channel in CHANNELS else "phone"
        options = [(fmt.how_name(h), h) for h in RESPONSE_HOW]
        return [
            Field("how", _("How"), "select", how, options, required=True),
            Field("note", _("Note"), "input", placeholder=_("what the customer was told")),
            _at(self),
        ]

    async def submit(self, values: Values) -> FaultSummary | None:
        f = self.fault
        return await self.ctx.actions.perform(
            lambda desk: desk.faults.respond(
                f.ref,
                version=f.version,
                how=values.text("how"),
                note=values.text("note"),
                at=values.time("at"),
            ),
            notice=_("{ref}: response logged.").format(ref=f.ref),
        )


class SolutionForm(FaultForm):
    heading = N_("Solution proposal to the customer")

    def fields(self) -> list[Field]:
        return [
            Field("text", _("Proposal"), "text", required=True),
            _at(self),
        ]

    async def submit(self, values: Values) -> FaultSummary | None:
        f = self.fault
        return await self.ctx.actions.perform(
            lambda desk: desk.faults.propose(
                f.ref, version=f.version, text=values.text("text"), at=values.time("at")
            ),
            notice=_("{ref}: solution proposal logged.").format(ref=f.ref),
        )


class AssignForm(FaultForm):
    heading = N_("Assign the fault")

    def fields(self) -> list[Field]:
        return [
            Field(
                "engineer",
                _("Engineer"),
                "select",
                self.ctx.me,
                self.ctx.engineer_options(),
                required=True,
                hint=_("One engineer owns the fault end to end (m takes it yourself)."),
            ),
            Field("note", _("Note")),
        ]

    async def submit(self, values: Values) -> FaultSummary | None:
        f = self.fault
        return await self.ctx.actions.perform(
            lambda desk: desk.faults.assign(
                f.ref, values.text("engineer"), version=f.version, note=values.text("note")
            ),
            notice=_("{ref} assigned to {user}.").format(ref=f.ref, user=values.text("engineer")),
        )


class EscalateForm(FaultForm):
    heading = N_("Escalate to a more senior engineer")

    def fields(self) -> list[Field]:
        # Only those more senior (the desk refuses anyone else), in the order it picks
        # them: on duty first, then the nearest step up; the first is the default.
        above = self.ctx.more_senior_than(self.fault.assignee)
        options = self.ctx.engineer_options(people=above)
        if not options:
            options = [(_("nobody on the roster is more senior"), "")]
        return [
            Field("reason", _("Reason"), "text", required=True),
            Field(
                "to",
                _("To"),
                "select",
                options[0][1],
                options,
                hint=_("A senior engineer on duty first (● on duty)."),
            ),
        ]

    async def submit(self, values: Values) -> FaultSummary | None:
        f = self.fault
        return await self.ctx.actions.perform(
            lambda desk: desk.faults.escalate(
                f.ref, version=f.version, reason=values.text("reason"), to=values.text("to") or None
            ),
            notice=_("{ref} escalated.").format(ref=f.ref),
        )


class PauseForm(FaultForm):
    heading = N_("Pause: waiting on the customer")

    def fields(self) -> list[Field]:
        return [
            Field(
                "reason",
                _("Waiting for"),
                "input",
                required=True,
                hint=_("The resolve clock stops until you resume (p)."),
            ),
            _at(self),
        ]

    async def submit(self, values: Values) -> FaultSummary | None:
        f = self.fault
        return await self.ctx.actions.perform(
            lambda desk: desk.faults.pause(
                f.ref, version=f.version, reason=values.text("reason"), at=values.time("at")
            ),
            notice=_("{ref} paused.").format(ref=f.ref),
        )


class ResumeForm(FaultForm):
    heading = N_("Resume: the customer is back")

    def fields(self) -> list[Field]:
        return [Field("note", _("Note")), _at(self)]

    async def submit(self, values: Values) -> FaultSummary | None:
        f = self.fault
        return await self.ctx.actions.perform(
            lambda desk: desk.faults.resume(
                f.ref, version=f.version, note=values.text("note"), at=values.time("at")
            ),
            notice=_("{ref} resumed.").format(ref=f.ref),
        )


class LevelForm(FaultForm):
    heading = N_("Change the fault's level")

    def fields(self) -> list[Field]:
        return [
            Field(
                "level",
                _("Level"),
                "select",
                str(self.fault.level),
                self.ctx.level_options(),
                required=True,
                hint=_("Every deadline is recomputed from the report time."),
            ),
            Field("reason", _("Reason"), "input", required=True),
        ]

    def check(self, key: str, value: FieldValue, values: Values) -> str | None:
        if key == "level" and value == str(self.fault.level):
            return _("The fault is already at this level.")
        return None

    async def submit(self, values: Values) -> FaultSummary | None:
        f = self.fault
        return await self.ctx.actions.perform(
            lambda desk: desk.faults.level(
                f.ref, int(values.text("level")), version=f.version, reason=values.text("reason")
            ),
            notice=_("{ref}: level changed.").format(ref=f.ref),
        )


class ResolveForm(FaultForm):
    heading = N_("Resolve the fault")

    def fields(self) -> list[Field]:
        return [
            Field(
                "summary",
                _("Resolution"),
                "text",
                required=True,
                hint=_("What fixed it; the record (e) keeps the details."),
            ),
            _at(self),
        ]

    async def submit(self, values: Values) -> FaultSummary | None:
        f = self.fault
        return await self.ctx.actions.perform(
            lambda desk: desk.faults.resolve(
                f.ref, version=f.version, summary=values.text("summary"), at=values.time("at")
            ),
            notice=_("{ref} resolved.").format(ref=f.ref),
        )


class CloseForm(FaultForm):
    heading = N_("Close the fault")

    def fields(self) -> list[Field]:
        return [
            Field(
                "note",
                _("Note"),
                hint=_("Only a resolved fault closes; on-site work must be signed off."),
            ),
            _at(self),
        ]

    async def submit(self, values: Values) -> FaultSummary | None:
        f = self.fault
        return await self.ctx.actions.perform(
            lambda desk: desk.faults.close(
                f.ref, version=f.version, note=values.text("note"), at=values.time("at")
            ),
            notice=_("{ref} closed.").format(ref=f.ref),
        )


class ReopenForm(FaultForm):
    heading = N_("Reopen the fault")

    def fields(self) -> list[Field]:
        return [Field("reason", _("Reason"), "text", required=True), _at(self)]

    async def submit(self, values: Values) -> FaultSummary | None:
        f = self.fault
        return await self.ctx.actions.perform(
            lambda desk: desk.faults.reopen(
                f.ref, version=f.version, reason=values.text("reason"), at=values.time("at")
            ),
            notice=_("{ref} reopened.").format(ref=f.ref),
        )
