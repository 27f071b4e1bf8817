"""The new-system form: a system of a known customer that is not registered yet (a new
server, a new module), added while the call is on (``desk.customers.add_system``).

The desk checks the names (empty, too long, a name the customer already has, a NUL);
its refusal shows in the form, which keeps what was typed. Saved, the console's
customer list holds the new system at once (``DeskVerbs.perform``): the intake
form offers it without a restart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...desk.views import SystemInfo
from ...i18n import N_, _
from .. import fmt
from .base import Field, FieldValue, FormContext, FormScreen, Values

if TYPE_CHECKING:
    from ...desk import CustomerInfo


class SystemForm(FormScreen):
    heading = N_("New system of a customer")
    save_label = N_("Add system")

    def __init__(self, ctx: FormContext, customer: str | None = None) -> None:
        """``customer``: the one to start with (the fault under the cursor's), else the first."""
        super().__init__(ctx)
        self.customer = customer

    def fields(self) -> list[Field]:
        customers = [(fmt.safe(c.name), c.name) for c in self.ctx.customers]
        names = [name for _label, name in customers]
        first = self.customer if self.customer in names else (names[0] if names else "")
        systems = [s for c in self.ctx.customers for s in c.systems]
        return [
            Field("customer", _("Customer"), "select", first, customers, required=True),
            Field(
                "name",
                _("System"),
                required=True,
                placeholder=_("its name at the customer, as faults will name it"),
            ),
            Field(
                "product",
                _("Product"),
                suggestions=sorted({s.product for s in systems if s.product}),
                placeholder=_("what it runs (optional)"),
            ),
            Field(
                "model",
                _("Model/version"),
                suggestions=sorted({s.model for s in systems if s.model}),
                placeholder=_("optional"),
            ),
        ]

    def check(self, key: str, value: FieldValue, values: Values) -> str | None:
        if key == "customer" and not self.ctx.customers:
            return _("No customers yet: add one with `oncall customer add`.")
        return None

    async def submit(self, values: Values) -> CustomerInfo | None:
        system = SystemInfo(values.text("name"), values.text("product"), values.text("model"))
        return await self.ctx.actions.perform(
            lambda desk: desk.customers.add_system(values.text("customer"), system),
            notice=_("System {system} added to {customer}.").format(
                system=fmt.safe(values.text("name")), customer=fmt.safe(values.text("customer"))
            ),
        )
