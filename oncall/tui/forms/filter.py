"""Which faults the queue shows."""

from __future__ import annotations

from ...i18n import N_, _
from .. import fmt
from ..filters import QueueFilter
from .base import Field, FormContext, FormScreen, Values


class FilterForm(FormScreen):
    heading = N_("Filter the queue")
    save_label = N_("Apply")

    def __init__(self, ctx: FormContext, current: QueueFilter) -> None:
        super().__init__(ctx)
        self.current = current

    def fields(self) -> list[Field]:
        f = self.current
        any_ = _("(any)")
        return [
            Field(
                "show",
                _("Show"),
                "select",
                f.show,
                [
                    (_("open queue"), "open"),
                    (_("resolved, awaiting close"), "resolved"),
                    (_("closed (latest)"), "closed"),
                ],
            ),
            Field("mine", _("Only mine"), "check", f.mine),
            Field(
                "level",
                _("Level"),
                "select",
                "" if f.level is None else str(f.level),
                [(any_, ""), *self.ctx.level_options()],
            ),
            Field(
                "customer",
                _("Customer"),
                "select",
                f.customer or "",
                [(any_, "")] + [(fmt.safe(c.name), c.name) for c in self.ctx.customers],
            ),
            Field(
                "band",
                _("Band"),
                "select",
                f.band or "",
                [(any_, "")] + [(fmt.band_name(b), b) for b in fmt.BAND_ORDER],
            ),
            Field(
                "text",
                _("Text"),
                value=f.text,
                placeholder=_("words in the id, title, customer, system, contact"),
            ),
        ]

    async def submit(self, values: Values) -> QueueFilter | None:
        return QueueFilter(
            show=values.text("show") or "open",
            mine=values.tick("mine"),
            level=int(values.text("level")) if values.text("level") else None,
            customer=values.text("customer") or None,
            band=values.text("band") or None,
            text=values.text("text").strip(),
        )
