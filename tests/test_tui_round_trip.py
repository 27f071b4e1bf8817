"""A verb's round trip costs what it changed: the verb returns the fault's view, built
in its own transaction (``Desk.changed``), and the console repaints its row and the
detail from it, reading nothing after the verb; the poll that follows finds only this
console's own event and re-reads nothing.

Counted in database statements (SQLAlchemy's ``before_cursor_execute``), never in time.
"""

from __future__ import annotations

from sqlalchemy import event
from tui_support import make_app, press_and_fill, save, settle
from verbs_support import Evaluations

from oncall.tui import fmt
from oncall.tui.forms.base import FormScreen

# The verb itself (7: BEGIN, the actor, the fault locked, its events, the event
# written, the fault updated, its names once per system), its view's record and work
# read in the same transaction (2), and the poll's newest event id (2). It was 19 when
# the console re-read the whole queue after every verb, 14 when it read the fault's
# view again after the verb.
ROUND_TRIP_MOST = 11


def _status(row) -> str | None:
    """The status of a row's fault (None: the folded line)."""
    return None if row.item is None else row.item.fault.status


async def _on_first(pilot, status: str) -> str:
    """The cursor on the first fault of ``status`` in the queue, once it shows: its ref."""
    await settle(pilot)
    queue = pilot.app.main.queue
    ref = next(r.ref for r in queue.rows if _status(r) == status)
    assert queue.move_to_ref(ref)
    await settle(pilot)
    return ref


class Statements:
    """Counts the statements sent to ``engine``, and the desk's reads by name."""

    def __init__(self, engine, desk, monkeypatch, *reads: str) -> None:
        self.sql: list[str] = []
        self.reads = dict.fromkeys(reads, 0)
        self._engine = engine
        event.listen(engine, "before_cursor_execute", self._count)
        for name in reads:  # the desk's reads (``desk.reads``), counted by name
            method = getattr(desk.reads, name)

            def counted(*args, _name=name, _method=method, **kwargs):
                self.reads[_name] += 1
                return _method(*args, **kwargs)

            monkeypatch.setattr(desk.reads, name, counted)

    def _count(self, conn, cursor, statement, params, context, executemany) -> None:
        self.sql.append(statement)

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._count)


async def test_responding_repaints_from_the_verbs_view_and_reads_nothing_after(
    demo_desk, monkeypatch
):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        new = await _on_first(pilot, "new")
        main = app.main
        main.tick_now()  # the watch's first token, and nothing new
        await settle(pilot)
        seen = Statements(
            demo_desk.engine, demo_desk, monkeypatch, "open_queue", "fault_view", "last_change"
        )
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert seen.sql == []  # the form opens on what the console has
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        main.tick_now()  # the poll: the only new event is this console's own
        await settle(pilot)
        main.tick_now()  # nothing moved since
        await settle(pilot)
        seen.close()
        assert len(seen.sql) <= ROUND_TRIP_MOST, "\n".join(seen.sql)
        assert seen.reads == {"open_queue": 0, "fault_view": 0, "last_change": 1}
        # What changed is shown: the row, the detail's clocks and timeline.
        fault = demo_desk.reads.fault(new)
        assert fault.status == "responded"
        row = main.queue.row(new)
        assert row is not None and row.item.fault == fault
        assert row.cells["status"] == "responded"
        assert main.view is not None and main.view.fault == fault
        newest = main.detail.section("timeline").splitlines()[0]
        assert newest.endswith(fmt.verb_name("respond")), newest
        respond = next(c for c in main.view.clocks.clocks if c.name == "respond")
        assert respond.stopped_at == fault.responded_at
        # And it is what a whole re-read shows.
        shown = [(r.ref, dict(r.cells)) for r in main.queue.rows]
        await main.sync.reload()
        await settle(pilot)
        assert [(r.ref, r.cells) for r in main.queue.rows] == shown


async def test_saving_work_repaints_from_the_verbs_view_alone(demo_desk, monkeypatch):
    """w: the form reads the fault's view as it opens (the mode the next step asks for);
    saving reads nothing after the verb and evaluates the clocks once, in the verb."""
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ref = await _on_first(pilot, "responded")
        main = app.main
        await press_and_fill(pilot, "w", done="checked the logs")
        seen = Statements(demo_desk.engine, demo_desk, monkeypatch, "fault_view", "fault")
        evaluations = Evaluations(monkeypatch)
        await save(pilot)
        await settle(pilot)
        seen.close()
        assert not isinstance(app.screen, FormScreen)
        assert seen.reads == {"fault_view": 0, "fault": 0}
        assert evaluations.count == 1
        assert not any(s.startswith("BEGIN\n") or s == "BEGIN" for s in seen.sql), seen.sql
        assert main.view is not None and main.view.fault.status == "in_progress"
        assert main.view == demo_desk.reads.fault_view(ref)
        assert main.queue.row(ref).item.fault == main.view.fault


async def test_another_desks_commit_after_a_verb_still_reloads_the_queue(demo_desk, monkeypatch):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.main
        new = next(r.ref for r in main.queue.rows if _status(r) == "new")
        other = next(r.ref for r in main.queue.rows if _status(r) and r.ref != new)
        assert main.queue.move_to_ref(new)
        await settle(pilot)
        seen = Statements(demo_desk.engine, demo_desk, monkeypatch, "open_queue")
        await pilot.press("r")
        await settle(pilot)
        # Between the console's verb and its poll, another engineer assigns a fault.
        elsewhere = demo_desk.as_user("duty")
        elsewhere.faults.assign(other, "duty", version=elsewhere.reads.fault(other).version)
        await pilot.press("ctrl+s")
        await settle(pilot)
        main.tick_now()
        await settle(pilot)
        seen.close()
        assert seen.reads["open_queue"] == 1  # that commit is not the console's: re-read
        assert main.queue.row(other).item.fault.assignee == "duty"
        assert main.queue.row(new).item.fault.status == "responded"


def test_every_verb_key_has_its_command_and_the_forms_load_on_the_first():
    import subprocess
    import sys

    from oncall.tui.actions import ACTIONS
    from oncall.tui.commands import KEYS

    verb_keys = {a.verb for a in ACTIONS if a.call[0] == "verb"}
    assert set(KEYS) == verb_keys and len(verb_keys) == 20
    # The main screen's first frame does not wait for the forms (and their widgets).
    probe = "import sys, oncall.tui.main_screen; print('oncall.tui.forms.base' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
