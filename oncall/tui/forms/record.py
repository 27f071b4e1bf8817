"""The fault record the contract asks for: symptom, diagnosis, handling, losses, changes."""

from __future__ import annotations

from typing import Any

from ...i18n import N_, _
from ..detail import RECORD_FIELDS
from .base import Field, FormContext, FormScreen


class RecordForm(FormScreen):
    heading = N_("Edit the fault record")

    def __init__(self, ctx: FormContext, fault: Any, view: Any) -> None:
        super().__init__(ctx, fault)
        self.view = view

    def fields(self) -> list[Field]:
        return [
            Field(attr, _(label), "text", getattr(self.view.record, attr, "") or "")
            for attr, label in RECORD_FIELDS
        ]

    async def submit(self, values: dict[str, Any]) -> Any | None:
        before = {attr: getattr(self.view.record, attr, "") or "" for attr, _l in RECORD_FIELDS}
        changed = {k: v for k, v in values.items() if v.strip() != before[k].strip()}
        if not changed:
            self._form_error(_("Nothing changed."))
            return None
        return await self.verb(
            "faults.record",
            **changed,
            notice=_("{ref}: record updated.").format(ref=self.fault.ref),
        )
