"""The customer archive in the console: the customer list (``K``) and one customer's
archive (``C`` on a fault, or Enter on the list).

The archive (``desk.customers.archive``) is read on the backend thread; the screen
shows it as text, in the console's language: systems, warranty, tier, contacts,
requirements and usage notes, the service history with each clock's result, and the
on-site visits with their sign-offs. Read only: it works on a read-only console too.
"""

from __future__ import annotations

from datetime import date, tzinfo

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..i18n import _
from . import actions, fmt
from .translate import translate_bindings


def _result(outcome) -> str:
    from ..report.sections import duration

    if outcome.result == "met":
        return _("met")
    if outcome.result == "breached":
        return _("breached by {late}").format(late=duration(outcome.late_seconds))
    if outcome.result == "overdue":
        return _("overdue by {late} (still open)").format(late=duration(outcome.late_seconds))
    if outcome.result == "not_owed":
        return _("not owed (the desk responded in time)")
    return _("in time so far (still open)")


def warranty_text(c, today: date) -> str:
    if c.warranty_start is None and c.warranty_end is None:
        return "-"
    state = _("in warranty") if c.in_warranty(today) else _("out of warranty")
    return f"{c.warranty_start or '?'} – {c.warranty_end or '?'} ({state})"


def archive_lines(archive, tz: tzinfo | None) -> list[str]:
    """The archive as lines of text (stored text escaped)."""
    c = archive.customer
    today = archive.now.astimezone(tz).date() if tz else archive.now.date()
    s = fmt.safe
    tier, warranty, start = _("Service tier"), _("Warranty"), _("start: final acceptance")
    out = [
        f"{tier}: {s(c.tier)}",
        f"{warranty}: {warranty_text(c, today)}  ({start})",
        "",
        _("Systems"),
    ]
    out += [f"  {s(x.name)}  {s(x.product) or '-'}  {s(x.model) or '-'}" for x in c.systems]
    out += ["", _("Contacts")]
    out += [
        "  " + "  ".join(s(v) for v in (k.name, k.role, k.phone, k.email) if v) for k in c.contacts
    ] or ["  -"]
    for label, text in ((_("Requirements"), c.requirements), (_("Usage notes"), c.usage_notes)):
        out += ["", label]
        body = fmt.safe(text.strip()) if "\n" not in text else None
        lines = [body] if body is not None else [s(x) for x in text.strip().splitlines()]
        out += [f"  {x}" for x in lines if x] or ["  -"]
    out += ["", _("Service history: {n} faults").format(n=len(archive.faults))]
    for f in archive.faults:
        flag = "  " + _("out of warranty") if f.out_of_warranty else ""
        out.append(
            f"  {f.ref}  {fmt.short_when(f.reported_at, tz)}  L{f.level}  "
            f"{fmt.status_name(f.status)}{flag}  {s(f.system)}  {s(f.title)}"
        )
        out += [f"      {fmt.clock_name(o.clock)}: {_result(o)}" for o in f.clocks]
    out += ["", _("On-site visits: {n}").format(n=len(archive.visits))]
    for w in archive.visits:
        customer = (
            f"{s(w.customer_signed_by or '')} {fmt.short_when(w.customer_signed_at, tz)}"
            if w.customer_signed_at
            else _("not signed")
        )
        vendor = (
            f"{s(w.vendor_signed_by or '')} {fmt.short_when(w.vendor_signed_at, tz)}"
            if w.vendor_signed_at
            else _("not signed")
        )
        out.append(
            f"  {w.fault_ref} #{w.entry}  {fmt.short_when(w.start, tz)} – "
            f"{fmt.short_when(w.end, tz)}  {s(w.engineer)}"
        )
        signed_customer, signed_vendor = _("Signed for the customer"), _("Signed for the vendor")
        out.append(f"      {signed_customer}: {customer}")
        out.append(f"      {signed_vendor}: {vendor}")
    return out


class ArchiveScreen(ModalScreen[None]):
    BINDINGS = actions.bindings(actions.ARCHIVE)

    def __init__(self, archive, tz: tzinfo | None) -> None:
        super().__init__(classes="form-screen")
        translate_bindings(self)
        self.archive = archive
        self.tz = tz

    def compose(self) -> ComposeResult:
        name = self.archive.customer.name
        with Vertical(classes="form help"):
            yield Static(
                _("Customer archive: {name}").format(name=fmt.safe(name)),
                classes="form-title",
                markup=False,
            )
            with VerticalScroll(classes="form-body", id="archive-body"):
                text = "\n".join(archive_lines(self.archive, self.tz))
                yield Static(text, id="archive-text", markup=False)
            yield Static(_("↑↓ scroll, Esc closes."), classes="form-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#archive-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)


class CustomersScreen(ModalScreen[None]):
    """Every customer (tier, warranty); Enter shows one's archive."""

    BINDINGS = actions.bindings(actions.CUSTOMERS)

    def __init__(self, customers, today: date, show) -> None:
        super().__init__(classes="form-screen")
        translate_bindings(self)
        self.customers = customers
        self.today = today
        self.show = show  # async (name) -> None: reads and pushes the archive

    def compose(self) -> ComposeResult:
        with Vertical(classes="form help"):
            yield Static(_("Customers"), classes="form-title", markup=False)
            yield OptionList(
                *(
                    Option(
                        f"{fmt.safe(c.name)}  {fmt.safe(c.tier)}  {warranty_text(c, self.today)}",
                        id=str(i),
                    )
                    for i, c in enumerate(self.customers)
                ),
                id="customer-list",
            )
            yield Static(_("Enter shows the archive, Esc closes."), classes="form-hint",
                         markup=False)  # fmt: skip

    def on_mount(self) -> None:
        self.query_one("#customer-list").focus()

    @on(OptionList.OptionSelected)
    async def _chosen(self, event: OptionList.OptionSelected) -> None:
        await self.show(self.customers[int(event.option.id or 0)].name)

    def action_close(self) -> None:
        self.dismiss(None)
