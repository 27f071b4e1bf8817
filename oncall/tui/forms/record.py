"""The fault record the contract asks for: symptom, diagnosis, handling, losses, changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...i18n import N_, _
from ..detail import RECORD_FIELDS
from .base import Field, Values, ViewForm

if TYPE_CHECKING:
    from ...desk import FaultSummary


class RecordForm(ViewForm):
    heading = N_("Edit the fault record")

    def fields(self) -> list[Field]:
        return [
            Field(attr, _(label), "text", getattr(self.view.record, attr, "") or "")
            for attr, label in RECORD_FIELDS
        ]

    async def submit(self, values: Values) -> FaultSummary | None:
        before = {attr: getattr(self.view.record, attr, "") or "" for attr, _l in RECORD_FIELDS}
        changed = {k: v for k, v in values.items() if v.strip() != before[k].strip()}
        if not changed:
            self.say(_("Nothing changed."))
            return None
        f = self.fault
        return await self.ctx.actions.perform(
            lambda desk: desk.faults.record(f.ref, version=f.version, **changed),
            notice=_("{ref}: record updated.").format(ref=f.ref),
        )
