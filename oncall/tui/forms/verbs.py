"""The short forms: respond, solution, assign, escalate, pause, resume, level,
resolve, close, reopen. Each one calls one desk verb with the version seen."""

from __future__ import annotations

from typing import Any

from ...i18n import N_, _
from ...vocabulary import CHANNELS, RESPONSE_HOW
from .. import fmt
from .base import Field, FormScreen


def _at(form: FormScreen, label: str | None = None) -> Field:
    return Field(
        "at",
        label or _("When"),
        "time",
        fmt.time_input(form.ctx.now(), form.ctx.tz),
        required=True,
        hint=_("Desk time; now unless it happened earlier."),
    )


class RespondForm(FormScreen):
    heading = N_("First response to the customer")

    def fields(self) -> list[Field]:
        how = self.fault.channel if self.fault.channel in CHANNELS else "phone"
        options = [(fmt.how_name(h), h) for h in RESPONSE_HOW]
        return [
            Field("how", _("How"), "select", how, options, required=True),
            Field("note", _("Note"), "input", placeholder=_("what the customer was told")),
            _at(self),
        ]

    async def submit(self, values: dict[str, Any]) -> Any | None:
        return await self.verb(
            "faults.respond",
            how=values["how"],
            note=values["note"],
            at=values["at"],
            notice=_("{ref}: response logged.").format(ref=self.fault.ref),
        )


class SolutionForm(FormScreen):
    heading = N_("Solution proposal to the customer")

    def fields(self) -> list[Field]:
        return [
            Field("text", _("Proposal"), "text", required=True),
            _at(self),
        ]

    async def submit(self, values: dict[str, Any]) -> Any | None:
        return await self.verb(
            "faults.propose_solution",
            text=values["text"],
            at=values["at"],
            notice=_("{ref}: solution proposal logged.").format(ref=self.fault.ref),
        )


class AssignForm(FormScreen):
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

    async def submit(self, values: dict[str, Any]) -> Any | None:
        return await self.verb(
            "faults.assign",
            values["engineer"],
            note=values["note"],
            notice=_("{ref} assigned to {user}.").format(
                ref=self.fault.ref, user=values["engineer"]
            ),
        )


class EscalateForm(FormScreen):
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

    async def submit(self, values: dict[str, Any]) -> Any | None:
        return await self.verb(
            "faults.escalate",
            reason=values["reason"],
            to=values["to"] or None,
            notice=_("{ref} escalated.").format(ref=self.fault.ref),
        )


class PauseForm(FormScreen):
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

    async def submit(self, values: dict[str, Any]) -> Any | None:
        return await self.verb(
            "faults.pause",
            reason=values["reason"],
            at=values["at"],
            notice=_("{ref} paused.").format(ref=self.fault.ref),
        )


class ResumeForm(FormScreen):
    heading = N_("Resume: the customer is back")

    def fields(self) -> list[Field]:
        return [Field("note", _("Note")), _at(self)]

    async def submit(self, values: dict[str, Any]) -> Any | None:
        return await self.verb(
            "faults.resume",
            note=values["note"],
            at=values["at"],
            notice=_("{ref} resumed.").format(ref=self.fault.ref),
        )


class LevelForm(FormScreen):
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

    def check(self, key: str, value: Any, values: dict[str, Any]) -> str | None:
        if key == "level" and value == str(self.fault.level):
            return _("The fault is already at this level.")
        return None

    async def submit(self, values: dict[str, Any]) -> Any | None:
        return await self.verb(
            "faults.change_level",
            int(values["level"]),
            reason=values["reason"],
            notice=_("{ref}: level changed.").format(ref=self.fault.ref),
        )


class ResolveForm(FormScreen):
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

    async def submit(self, values: dict[str, Any]) -> Any | None:
        return await self.verb(
            "faults.resolve",
            summary=values["summary"],
            at=values["at"],
            notice=_("{ref} resolved.").format(ref=self.fault.ref),
        )


class CloseForm(FormScreen):
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

    async def submit(self, values: dict[str, Any]) -> Any | None:
        return await self.verb(
            "faults.close",
            note=values["note"],
            at=values["at"],
            notice=_("{ref} closed.").format(ref=self.fault.ref),
        )


class ReopenForm(FormScreen):
    heading = N_("Reopen the fault")

    def fields(self) -> list[Field]:
        return [Field("reason", _("Reason"), "text", required=True), _at(self)]

    async def submit(self, values: dict[str, Any]) -> Any | None:
        return await self.verb(
            "faults.reopen",
            reason=values["reason"],
            at=values["at"],
            notice=_("{ref} reopened.").format(ref=self.fault.ref),
        )
