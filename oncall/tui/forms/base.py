"""What every form shares: fields declared as data, inline validation, save and cancel.

A form is a modal screen. Enter moves to the next field (and saves from the
last one), lists and check boxes included: space (or ↑ ↓) opens a list, space
ticks a box; in a text box Enter starts a new line and Tab moves on. ctrl+s
saves from anywhere, Escape cancels. Each field says what is
wrong under itself; a verb the desk refuses leaves the form open with
everything typed, shows the desk's message, and takes the fault's new version
so that saving again applies to what is stored now. A save that fails because the
database is out of reach says that nothing was saved and keeps the form as typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from ...i18n import N_, _
from ...timefmt import TimeInputError, parse_instant
from .. import actions, fmt
from ..translate import translate_bindings
from .context import DeskActions, FormContext, Refusal

__all__ = ["DeskActions", "FaultForm", "Field", "FormContext", "FormScreen", "Refusal", "ViewForm"]

if TYPE_CHECKING:
    from ...desk import FaultSummary, FaultView


# What one field holds once read: text (an input, a text box, a list's choice), a tick
# (a check box), an instant (a time field), or nothing (an empty optional time, or a
# field hidden from the form).
FieldValue = str | bool | datetime | None


class Values(dict[str, FieldValue]):
    """A form's values by field key, read as their kind: a hidden field reads empty."""

    def text(self, key: str) -> str:
        value = self.get(key)
        return value if isinstance(value, str) else ""

    def time(self, key: str) -> datetime | None:
        value = self.get(key)
        return value if isinstance(value, datetime) else None

    def tick(self, key: str) -> bool:
        return self.get(key) is True


@dataclass
class Field:
    key: str
    label: str  # translated
    kind: str = "input"  # input | text | select | time | check
    value: FieldValue = ""  # the default shown
    options: list[tuple[str, str]] = field(default_factory=list)
    required: bool = False
    hint: str = ""
    optional: bool = False  # a time that may stay empty
    suggestions: list[str] = field(default_factory=list)
    placeholder: str = ""
    # A time field's default to the second: left as shown (to the minute), the field
    # means this instant, not hh:mm:00, which could fall before what it was taken from
    # (a work's start at the fault's report, logged in the same minute).
    instant: datetime | None = None

    def widget(self) -> Widget:
        """The input for this field (id ``f-<key>``)."""
        wid = f"f-{self.key}"
        if self.kind == "select":
            value = self.value if any(v == self.value for _l, v in self.options) else Select.NULL
            return FormSelect(
                self.options,
                value=value,
                allow_blank=False,
                id=wid,
                compact=True,
                prompt=_("Select"),
            )
        if self.kind == "text":
            area = TextArea(str(self.value or ""), id=wid, soft_wrap=True, tab_behavior="focus")
            area.show_line_numbers = False
            return area
        if self.kind == "check":
            return FormCheckbox("", bool(self.value), id=wid)
        suggester = (
            SuggestFromList(self.suggestions, case_sensitive=False) if self.suggestions else None
        )
        return Input(
            str(self.value or ""),
            id=wid,
            placeholder=self.placeholder,
            suggester=suggester,
            select_on_focus=False,
        )

    def convert(
        self, raw: str | bool, now: datetime, tz: tzinfo | None, opened: str
    ) -> tuple[FieldValue, str | None]:
        """(value, what is wrong or None) of what the field holds; ``opened``: the minute
        the form opened in, as a time field shows it (it means "now", as does ``now``'s)."""
        if self.kind == "time":
            text = str(raw).strip()
            example = fmt.time_input(now, tz)
            if not text:
                if self.optional:
                    return None, None
                return None, _("Required: a time like {example}.").format(example=example)
            if self.instant is not None and text == fmt.time_input(self.instant, tz):
                return self.instant, None
            if text in (opened, example):
                return now, None
            try:
                at = parse_instant(text, tz)
            except TimeInputError:
                return None, _("Cannot read this time; write it like {example}.").format(
                    example=example
                )
            if at > now:
                return at, _("This is in the future (now is {now}).").format(now=example)
            return at, None
        if self.kind == "check":
            return bool(raw), None
        value = str(raw).strip() if self.kind != "text" else str(raw).rstrip()
        if self.required and not value.strip():
            return value, _("Required.")
        if "\x00" in value:
            return value, _("Contains a NUL character.")
        return value, None


class FormSelect(Select):
    """A list whose Enter moves to the next field, as in every other field.

    Textual's ``Select`` opens its list on Enter, space, up and down; here
    space (and up, down) open it and Enter moves on."""

    BINDINGS = actions.bindings(actions.SELECT)

    def action_next_field(self) -> None:
        self.screen.advance(self)


class FormCheckbox(Checkbox):
    """A check box whose Enter moves to the next field; space ticks it."""

    BINDINGS = actions.bindings(actions.CHECKBOX)

    def action_next_field(self) -> None:
        self.screen.advance(self)


class FormScreen(ModalScreen[object]):
    """A form over the main screen; subclasses give ``fields()`` and ``submit()``."""

    BINDINGS = actions.bindings(actions.FORM)

    heading = ""  # msgid
    save_label = N_("Save")

    def __init__(self, ctx: FormContext, fault: FaultSummary | None = None) -> None:
        super().__init__(classes="form-screen")
        translate_bindings(self)
        self.ctx = ctx
        self.fault = fault
        self.busy = False
        self._fields: list[Field] = []
        # Values to start with instead of the form's own (the next step's, see MainScreen).
        self.defaults: dict[str, str] = {}
        # The minute the form opened in: a time field showing it (or the minute of the
        # save) means "now". Fields show minutes; read back as hh:mm:00 such a time
        # could fall before a change made earlier in the same minute and be refused.
        self._opened_minute = fmt.time_input(ctx.now(), ctx.tz)

    # -- to be given by each form ------------------------------------------------------
    def fields(self) -> list[Field]:
        raise NotImplementedError

    async def submit(self, values: Values) -> object | None:
        """Call the desk; return a truthy result on success, None when refused (what it
        is: the verb's result, a filter: each form says)."""
        raise NotImplementedError

    def check(self, key: str, value: FieldValue, values: Values) -> str | None:
        """A form's own rule for one field (after the common ones); a message or None."""
        return None

    def field_changed(self, key: str, value: FieldValue) -> None:
        """React to a change (e.g. the systems of the chosen customer)."""

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        self._fields = self.fields()
        for spec in self._fields:
            if spec.key in self.defaults:
                spec.value = self.defaults[spec.key]
        with Vertical(classes="form"):
            yield Static(_(self.heading), classes="form-title")
            if self.fault is not None:
                f = self.fault
                yield Static(_fault_line(f), classes="form-fault", markup=False)
            # Not focusable: the focus goes straight to the first field. Focus on the body
            # and off again restyled every widget of the form twice (half of opening it).
            with VerticalScroll(classes="form-body", can_focus=False):
                for spec in self._fields:
                    with Horizontal(classes=f"field field-{spec.kind}", id=f"field-{spec.key}"):
                        label = spec.label + (" *" if spec.required else "")
                        yield Label(label, classes="field-label", markup=False)
                        with Vertical(classes="field-input"):
                            yield spec.widget()
                            if spec.hint:
                                yield Static(spec.hint, classes="field-hint", markup=False)
                            yield Static(
                                "", classes="field-error", id=f"e-{spec.key}", markup=False
                            )
            yield Static("", id="form-error", markup=False)
            with Horizontal(classes="form-buttons"):
                yield Button(f"{_(self.save_label)} (ctrl+s)", id="form-save", variant="primary")
                yield Button(_("Cancel (esc)"), id="form-cancel")

    def on_mount(self) -> None:
        for spec in self._fields:
            widget = self.query_one(f"#f-{spec.key}")
            if widget.focusable:
                widget.focus()
                break

    # -- values and validation -------------------------------------------------------
    def raw(self, key: str) -> str | bool:
        """What the field's widget holds (a list: its choice, "" for none)."""
        widget = self.query_one(f"#f-{key}")
        if isinstance(widget, Select):
            return "" if widget.value is Select.NULL else str(widget.value)
        if isinstance(widget, TextArea):
            return widget.text
        if isinstance(widget, Checkbox):
            return widget.value
        return widget.value  # Input

    def set_options(self, key: str, options: list[tuple[str, str]], value: str | None) -> None:
        select = self.query_one(f"#f-{key}", Select)
        select.set_options(options)
        if value is not None and any(v == value for _l, v in options):
            select.value = value

    def set_value(self, key: str, value: str) -> None:
        widget = self.query_one(f"#f-{key}")
        if isinstance(widget, TextArea):
            widget.text = value
        else:
            widget.value = value

    def show_field(self, key: str, shown: bool) -> None:
        self.query_one(f"#field-{key}").display = shown

    def validate(self) -> Values | None:
        """Every field checked; each error shown under its field. None when any is wrong."""
        values = Values()
        errors: dict[str, str | None] = {}
        for spec in self._fields:
            if not self.query_one(f"#field-{spec.key}").display:
                values[spec.key] = None
                continue
            raw = self.raw(spec.key)
            converted = spec.convert(raw, self.ctx.now(), self.ctx.tz, self._opened_minute)
            values[spec.key], errors[spec.key] = converted
        for spec in self._fields:
            if errors.get(spec.key) is None and self.query_one(f"#field-{spec.key}").display:
                errors[spec.key] = self.check(spec.key, values[spec.key], values)
        first_bad = None
        for spec in self._fields:
            message = errors.get(spec.key)
            self.say(message, spec.key)
            if message and first_bad is None:
                first_bad = spec.key
        if first_bad is not None:
            self.query_one(f"#f-{first_bad}").focus()
            self.say(_("Please correct the fields marked below."))
            return None
        self.say("")
        return values

    def say(self, message: str | None, key: str | None = None) -> None:
        """Show ``message`` under the field ``key`` (marking it wrong), or, without a key,
        above the buttons; empty or None clears it."""
        error = self.query_one(f"#e-{key}" if key else "#form-error", Static)
        error.update(message or "")
        error.set_class(bool(message), "-shown")
        if key:
            self.query_one(f"#field-{key}").set_class(bool(message), "-invalid")

    # -- events ----------------------------------------------------------------------
    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event) -> None:
        widget = event.control if hasattr(event, "control") else event.text_area
        key = _key_of(widget)
        spec = next((s for s in self._fields if s.key == key), None)
        if key is None or spec is None:
            return
        # an error shown goes away as soon as the field is right
        if self.query_one(f"#field-{key}").has_class("-invalid"):
            now = self.ctx.now()
            value, message = spec.convert(self.raw(key), now, self.ctx.tz, self._opened_minute)
            if message is None:
                message = self.check(key, value, Values())
            self.say(message, key)
        self.field_changed(key, self.raw(key))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Mark the field that has the focus (its label reverses: see forms.tcss)."""
        field = next((a for a in event.widget.ancestors_with_self if a.has_class("field")), None)
        for other in self.query(".field.-focused"):
            if other is not field:
                other.remove_class("-focused")
        if field is not None:
            field.add_class("-focused")

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.advance(event.input)

    def advance(self, widget: Widget) -> None:
        """Enter in a field: the next field, or save from the last one."""
        inputs = [w for w in self.query(".field-input > *") if w.focusable and w.display]
        inputs = [w for w in inputs if self.query_one(f"#field-{_key_of(w)}").display]
        if inputs and widget is inputs[-1]:
            self.action_submit()
        else:
            self.focus_next()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "form-save":
            self.action_submit()
        elif event.button.id == "form-cancel":
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        if self.busy:
            return
        values = self.validate()
        if values is None:
            return
        self.run_worker(self._submit(values), group="submit", exclusive=True)

    async def _submit(self, values: Values) -> None:
        self.busy = True
        self.say(_("Saving…"))
        try:
            result = await self.submit(values)
        finally:
            self.busy = False
        if result is not None and result is not False:
            self.dismiss(result)
            return
        refusal = self.ctx.actions.refusal
        message = refusal.text
        if refusal.unreachable:
            # The database is away: nothing was saved; keep everything typed, as it is.
            self.say(
                _("Not saved: {reason}").format(reason=fmt.safe(message))
                + "\n"
                + _("Your input is kept; save again once the header no longer says so.")
            )
            return
        # Refused: keep everything typed; a form on a fault takes its current version.
        kept = (
            _("Your input is kept. Correct it and save again, or Esc.")
            if self.fault is None  # a new fault, a new system: nothing to reload
            else _("Your input is kept; the fault was reloaded. Check it and save again, or Esc.")
        )
        self.say(_("Not saved: {reason}").format(reason=fmt.safe(message)) + "\n" + kept)
        if self.fault is not None:
            fresh = await self.ctx.actions.fresh_fault(self.fault.ref)
            if fresh is not None:
                self.fault = fresh
                self.query_one(".form-fault", Static).update(_fault_line(fresh))


class FaultForm(FormScreen):
    """A form on one fault: its verb goes with the version the engineer saw
    (``fault.version``; after a refusal, the fault as stored then)."""

    def __init__(self, ctx: FormContext, fault: FaultSummary) -> None:
        super().__init__(ctx, fault)
        self.fault: FaultSummary = fault


class ViewForm(FaultForm):
    """A form that needs the fault's whole view (its work, its record)."""

    def __init__(self, ctx: FormContext, fault: FaultSummary, view: FaultView) -> None:
        super().__init__(ctx, fault)
        self.view = view


def _key_of(widget: Widget) -> str | None:
    """The field's key of its input widget (id ``f-<key>``)."""
    wid = widget.id or ""
    return wid[2:] if wid.startswith("f-") else None


def _fault_line(fault: FaultSummary) -> str:
    """The fault a form acts on, in one line: the status before the title, so that a
    narrow screen cuts the end of the title, never the status."""
    return (
        f"{fmt.safe(fault.ref)}  L{fault.level}  [{fmt.status_name(fault.status)}]  "
        f"{fmt.safe(fault.customer)}/{fmt.safe(fault.system)}  {fmt.safe(fault.title)}"
    )
