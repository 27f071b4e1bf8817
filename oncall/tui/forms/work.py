"""Logging work (phone, remote, on-site, internal) and the on-site sign-off."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ...i18n import N_, _
from ...vocabulary import MODES
from .. import fmt
from .base import Field, FieldValue, Values, ViewForm

if TYPE_CHECKING:
    from ...desk import FaultView, WorkEntry


class WorkForm(ViewForm):
    heading = N_("Log work on the fault")

    def fields(self) -> list[Field]:
        now = self.ctx.now()
        # Prefilled: the last half hour, but not before the report nor the last work's end.
        ends = [w.end for w in self.view.work if w.end]
        start = max([now - timedelta(minutes=30), self.fault.reported_at, *ends])
        start = min(start, now)
        return [
            Field("mode", _("Mode"), "select", "remote", [(fmt.mode_name(m), m) for m in MODES]),
            Field(
                "start",
                _("Start"),
                "time",
                fmt.time_input(start, self.ctx.tz),
                required=True,
                instant=start,
            ),
            Field(
                "end",
                _("End"),
                "time",
                fmt.time_input(now, self.ctx.tz),
                optional=True,
                hint=_("Leave empty while the work goes on."),
            ),
            Field("engineer", _("Engineer"), "select", self.ctx.me, self.ctx.engineer_options()),
            Field("done", _("What was done"), "text", required=True),
            Field("result", _("Result")),
            Field(
                "customer_rep",
                _("Signed off by"),
                hint=_(
                    "The customer's responsible person who signs the on-site service report "
                    "(you sign as the engineer). Empty: sign off later with o."
                ),
                placeholder=_("name of the customer's representative"),
            ),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        self.show_field("customer_rep", self.raw("mode") == "onsite")

    def field_changed(self, key: str, value: FieldValue) -> None:
        if key == "mode":
            self.show_field("customer_rep", value == "onsite")

    def check(self, key: str, value: FieldValue, values: Values) -> str | None:
        start = values.time("start")
        if key == "end" and isinstance(value, datetime) and start and value < start:
            return _("The end is before the start.")
        signing = values.text("mode") == "onsite" and values.text("customer_rep").strip()
        if key == "end" and value is None and signing:
            return _("The sign-off ends the work: give its end.")
        if key == "start" and value is not None and value < self.fault.reported_at:
            return _("The work cannot start before the fault was reported ({at}).").format(
                at=fmt.time_input(self.fault.reported_at, self.ctx.tz)
            )
        return None

    async def submit(self, values: Values) -> WorkEntry | None:
        f = self.fault
        entry = await self.ctx.actions.perform(
            lambda desk: desk.work.add(
                f.ref,
                version=f.version,
                mode=values.text("mode"),
                start=values.time("start"),
                end=values.time("end"),
                engineer=values.text("engineer") or None,
                done=values.text("done"),
                result=values.text("result"),
            ),
            notice=_("{ref}: work logged.").format(ref=f.ref),
        )
        if entry is None:
            return None
        rep = values.text("customer_rep").strip()
        if values.text("mode") == "onsite" and rep:
            await self.ctx.actions.perform(
                lambda desk: desk.work.sign_off(
                    entry.id, version=entry.fault_version, customer_rep=rep
                ),
                notice=_("{ref}: on-site work signed off by {rep}.").format(
                    ref=f.ref, rep=fmt.safe(rep)
                ),
            )
        return entry


class SignOffForm(ViewForm):
    heading = N_("Sign off on-site work")

    @staticmethod
    def candidates(view: FaultView) -> list[WorkEntry]:
        return [w for w in view.work if w.mode == "onsite" and not w.signed]

    def _entry(self, entry_id: object) -> WorkEntry | None:
        return next((w for w in self.view.work if str(w.id) == str(entry_id)), None)

    def _end_of(self, entry: WorkEntry | None) -> str:
        """The end the form offers: the entry's own, else now (the sign-off makes it final)."""
        end = entry.end if entry is not None and entry.end is not None else self.ctx.now()
        return fmt.time_input(end, self.ctx.tz)

    def fields(self) -> list[Field]:
        entries = self.candidates(self.view)
        options = [
            (
                f"#{w.id} {fmt.short_when(w.start, self.ctx.tz)} {fmt.safe(w.engineer)}: "
                f"{fmt.safe(w.done.splitlines()[0] if w.done else '')}",
                str(w.id),
            )
            for w in entries
        ]
        chosen = options[-1][1] if options else ""
        return [
            Field("entry", _("On-site work"), "select", chosen, options, required=True),
            Field(
                "end",
                _("Work ended"),
                "time",
                self._end_of(self._entry(self.defaults.get("entry", chosen))),
                required=True,
                hint=_("When the on-site work ended: the sign-off makes the entry final."),
            ),
            Field(
                "customer_rep",
                _("Customer representative"),
                required=True,
                hint=_("The customer's responsible person who signed the service report."),
            ),
            Field("engineer", _("Engineer"), "select", self.ctx.me, self.ctx.engineer_options()),
        ]

    def field_changed(self, key: str, value: FieldValue) -> None:
        if key == "entry" and self.is_mounted:
            self.set_value("end", self._end_of(self._entry(value)))

    def check(self, key: str, value: FieldValue, values: Values) -> str | None:
        entry = self._entry(values.text("entry") or self.raw("entry"))
        if key == "end" and value is not None and entry is not None and value < entry.start:
            return _("The work cannot end before it started ({at}).").format(
                at=fmt.time_input(entry.start, self.ctx.tz)
            )
        return None

    async def submit(self, values: Values) -> WorkEntry | None:
        entry, end = self._entry(values.text("entry")), values.time("end")
        if entry is not None and entry.end is not None:
            shown = fmt.time_input(entry.end, self.ctx.tz)
            if fmt.time_input(end, self.ctx.tz) == shown:
                end = None  # its own end as shown (to the minute): keep it to the second
        f = self.fault
        return await self.ctx.actions.perform(
            lambda desk: desk.work.sign_off(
                int(values.text("entry")),
                version=f.version,
                customer_rep=values.text("customer_rep"),
                engineer=values.text("engineer") or None,
                end=end,
            ),
            notice=_("{ref}: on-site work signed off; the work ended {end}.").format(
                ref=self.fault.ref, end=fmt.time_input(values.time("end"), self.ctx.tz)
            ),
        )


class EndWorkForm(ViewForm):
    heading = N_("End work that is going on")

    def fields(self) -> list[Field]:
        ongoing = [w for w in self.view.work if w.end is None]
        options = [
            (
                f"#{w.id} {fmt.mode_name(w.mode)} {fmt.short_when(w.start, self.ctx.tz)} "
                f"{fmt.safe(w.engineer)}: {fmt.safe(w.done.splitlines()[0] if w.done else '')}",
                str(w.id),
            )
            for w in ongoing
        ]
        return [
            Field(
                "entry",
                _("Work"),
                "select",
                options[-1][1] if options else "",
                options,
                required=True,
            ),
            Field(
                "end", _("End"), "time", fmt.time_input(self.ctx.now(), self.ctx.tz), required=True
            ),
            Field("result", _("Result")),
        ]

    async def submit(self, values: Values) -> WorkEntry | None:
        f = self.fault
        return await self.ctx.actions.perform(
            lambda desk: desk.work.end(
                int(values.text("entry")),
                version=f.version,
                end=values.time("end"),
                result=values.text("result") or None,
            ),
            notice=_("{ref}: work ended.").format(ref=f.ref),
        )
