"""The intake form: a new fault as the customer reports it.

A call logged after the fact (the report time moved back from the time the
form opened) shows two more fields, "Response via" and "Responded at": a call
already answered is saved with its response in one transaction, so the desk
never sees it unanswered and no respond alert fires in between. Left empty,
the fault is logged unanswered, and a respond deadline already past is a real
breach (its alert fires, late).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ...i18n import N_, _
from ...timefmt import TimeInputError, parse_instant
from ...vocabulary import CHANNELS, RESPONSE_HOW
from .. import fmt
from .base import Field, FieldValue, FormScreen, Values

if TYPE_CHECKING:
    from ...desk import FaultSummary

RESPONSE_FIELDS = ("responded_via", "responded_at")


class IntakeForm(FormScreen):
    heading = N_("New fault")
    save_label = N_("Log fault")

    def _choices(self, name: str) -> tuple[list[tuple[str, str]], list[str]]:
        """Customer ``name``'s systems (as options) and contacts (name and phone)."""
        customer = next((c for c in self.ctx.customers if c.name == name), None)
        if customer is None:
            return [], []
        return [
            (f"{fmt.safe(s.name)} {fmt.safe(s.product)}".rstrip(), s.name) for s in customer.systems
        ], [" ".join(p for p in (c.name, c.phone) if p) for c in customer.contacts]

    def fields(self) -> list[Field]:
        customers = [(fmt.safe(c.name), c.name) for c in self.ctx.customers]
        first = customers[0][1] if customers else ""
        systems, first_contacts = self._choices(first)
        self._auto_contact = first_contacts[0] if first_contacts else ""
        suggestions = [s for c in self.ctx.customers for s in self._choices(c.name)[1]]
        self._opened = fmt.time_input(self.ctx.now(), self.ctx.tz)
        return [
            Field("customer", _("Customer"), "select", first, customers, required=True),
            Field(
                "system",
                _("System"),
                "select",
                systems[0][1] if systems else "",
                systems,
                required=True,
            ),
            Field("level", _("Level"), "select", "2", self.ctx.level_options(), required=True),
            Field(
                "channel",
                _("Channel"),
                "select",
                "phone",
                [(fmt.channel_name(c), c) for c in CHANNELS],
                required=True,
            ),
            Field(
                "contact",
                _("Contact"),
                value=first_contacts[0] if first_contacts else "",
                suggestions=suggestions,
                placeholder=_("who reported it, and how to reach them"),
            ),
            Field("title", _("Title"), required=True, placeholder=_("one line the queue shows")),
            Field("symptom", _("Symptom"), "text", required=True),
            Field(
                "assignee",
                _("Assign to"),
                "select",
                "",
                self.ctx.engineer_options(blank=_("(nobody yet)")),
            ),
            Field(
                "at",
                _("Reported at"),
                "time",
                self._opened,
                required=True,
                hint=_("Desk time; the clocks start here."),
            ),
            Field(
                "responded_via",
                _("Response via"),
                "select",
                "phone",
                [(fmt.how_name(h), h) for h in RESPONSE_HOW],
            ),
            Field(
                "responded_at",
                _("Responded at"),
                "time",
                optional=True,
                hint=_("A past call already answered: when. Empty: not answered yet."),
            ),
        ]

    def on_mount(self) -> None:
        self._show_response(False)  # until the report time is moved back

    def _show_response(self, shown: bool) -> None:
        for key in RESPONSE_FIELDS:
            self.show_field(key, shown)

    def _back_dated(self, text: str) -> bool:
        try:
            return parse_instant(text, self.ctx.tz) < parse_instant(self._opened, self.ctx.tz)
        except TimeInputError:
            return False

    def field_changed(self, key: str, value: FieldValue) -> None:
        if key == "at":
            self._show_response(self._back_dated(str(value)))
        elif key == "channel" and value in CHANNELS:
            self.set_value("responded_via", str(value))
        elif key == "customer":
            systems, contacts = self._choices(str(value))
            self.set_options("system", systems, systems[0][1] if systems else None)
            typed = str(self.raw("contact")).strip()
            if not typed or typed == self._auto_contact:  # not typed by the engineer
                self._auto_contact = contacts[0] if contacts else ""
                self.set_value("contact", self._auto_contact)

    def check(self, key: str, value: FieldValue, values: Values) -> str | None:
        if key == "customer" and not self.ctx.customers:
            return _("No customers yet: add one with `oncall customer add`.")
        reported = values.time("at")
        if key == "responded_at" and isinstance(value, datetime) and reported and value < reported:
            return _("Before the report time.")
        return None

    def _warranty_notice(self, values: Values) -> str:
        """ "Fault logged." and, when the customer's warranty ended before the report (the
        desk marks the fault so, by the same rule), a warning that says when it ended."""
        name = values.text("customer")
        customer = next((c for c in self.ctx.customers if c.name == name), None)
        at = values.time("at") or self.ctx.clock.now()
        day = at.astimezone(self.ctx.tz).date() if self.ctx.tz else at.date()
        if customer is None or not customer.warranty_ended(day):
            return _("Fault logged.")
        return _("Fault logged, out of warranty: the warranty of {customer} ended {end}.").format(
            customer=fmt.safe(customer.name), end=customer.warranty_end
        )

    async def submit(self, values: Values) -> FaultSummary | None:
        fault = await self.ctx.actions.perform(
            lambda desk: desk.faults.log(
                customer=values.text("customer"),
                system=values.text("system"),
                title=values.text("title"),
                level=int(values.text("level")),
                channel=values.text("channel"),
                symptom=values.text("symptom"),
                contact=values.text("contact"),
                assignee=values.text("assignee") or None,
                at=values.time("at"),
                responded_at=values.time("responded_at"),
                responded_via=values.text("responded_via") if values.time("responded_at") else None,
            ),
            notice=self._warranty_notice(values),
        )
        if fault is not None:
            self.ctx.actions.select_after_reload(fault.ref)
        return fault
