"""Moving the cursor shows the next fault's detail at once: the faults next to the
cursor are read ahead, so a key press is one frame, not a read and a second frame."""

from __future__ import annotations

from tui_support import make_app, settle


def count_views(monkeypatch, desk) -> list[str]:
    asked: list[str] = []
    fault_view = desk.reads.fault_view

    def counted(ref, *args, **kwargs):
        asked.append(ref)
        return fault_view(ref, *args, **kwargs)

    monkeypatch.setattr(desk.reads, "fault_view", counted)
    return asked


async def test_the_next_fault_shows_in_the_same_call_as_the_key(demo_desk, monkeypatch):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main, queue = app.main, app.main.queue
        assert main.view.fault.ref == queue.cursor_ref
        asked = count_views(monkeypatch, demo_desk)
        for _ in range(4):
            queue.action_move("down")
            # No await: the detail already shows the fault under the cursor.
            assert main.view.fault.ref == queue.cursor_ref
            assert main.detail.view is main.view
            await settle(pilot, 1)  # the read ahead of the next ones
        assert asked  # read ahead as the cursor moved …
        assert set(asked) <= {r.ref for r in queue.rows[:7]}  # … the neighbours only


async def test_a_fault_changed_since_it_was_read_ahead_is_read_again(demo_desk, monkeypatch):
    app = make_app(demo_desk, demo_desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main, queue = app.main, app.main.queue
        below = queue.rows[1].ref
        assert main.sync.views.kept(below) is not None
        other = demo_desk.as_user("duty")
        other.faults.assign(
            below, "duty", version=other.reads.fault(below).version, note="mine now"
        )
        await main.sync.reload()
        await settle(pilot)
        assert main.sync.views.kept(below) is None  # a new version: the kept view is stale
        asked = count_views(monkeypatch, demo_desk)
        queue.action_move("down")
        await settle(pilot)
        assert below in asked
        assert main.view.fault.ref == below and main.view.fault.assignee == "duty"
