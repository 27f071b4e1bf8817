"""The console's sync with the desk, without Textual: plain objects, a fake screen and a
desk whose reads are counted (the real desk's answers), on the real backend thread."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

from tui_support import HANG

from oncall.tui.backend import Backend
from oncall.tui.filters import DoneItem, QueueFilter
from oncall.tui.sync import RELOAD_EVERY, VIEW_EVERY, DeskSync, with_done


class CountedDesk:
    """The desk as the sync uses it: each read counted; ``gate`` holds ``open_queue``."""

    def __init__(self, desk) -> None:
        self.desk = desk
        self.policy = desk.policy
        self.calls: list[str] = []
        self.gate: threading.Event | None = None
        self.reading = threading.Event()  # ``open_queue`` started
        self.reads = self  # the sync reads through ``desk.reads``: these counted ones

    def open_queue(self):
        self.calls.append("open_queue")
        self.reading.set()
        if self.gate is not None:
            assert self.gate.wait(HANG)
        return self.desk.reads.open_queue()

    def fault_view(self, ref):
        self.calls.append("fault_view")
        return self.desk.reads.fault_view(ref)

    def faults(self, **kwargs):
        self.calls.append("fault_list")
        return self.desk.reads.faults(**kwargs)

    def last_change(self):
        self.calls.append("last_change")
        return self.desk.reads.last_change()

    def change_watch(self):
        return None  # no watch: every tick asks for news


class Queue:
    """The queue as the sync sees it: rows, and a cursor that stays on its fault."""

    def __init__(self) -> None:
        self.rows: list = []
        self.cursor = 0

    @property
    def cursor_ref(self):
        if 0 <= self.cursor < len(self.rows) and self.rows[self.cursor].item is not None:
            return self.rows[self.cursor].ref
        return None

    def row(self, ref):
        return next((r for r in self.rows if r.ref == ref), None)


class Screen:
    def __init__(self) -> None:
        self.queue = Queue()
        self.views: list = []  # what the detail was given

    def show_queue(self, view) -> None:
        ref = self.queue.cursor_ref
        self.queue.rows = list(view.rows)
        refs = [r.ref for r in self.queue.rows]
        self.queue.cursor = refs.index(ref) if ref in refs else 0

    def show_view(self, view) -> None:
        self.views.append(view)

    def refresh_keys(self) -> None:
        pass


class Health:
    def failed(self, exc, *, write=False) -> bool:
        return False

    def read_ok(self) -> None:
        pass


class Harness:
    """A sync over ``desk`` with a fake screen; ``spawned``: the work it asked to run."""

    def __init__(self, desk) -> None:
        self.desk = CountedDesk(desk)
        self.backend = Backend()
        self.backend.desk = self.desk
        self.screen = Screen()
        self.spawned: list[tuple[str, object]] = []
        self.now = 1000.0  # the monotonic clock
        self.sync = DeskSync(
            self.backend,
            desk.clock,
            self.screen,
            Health(),
            lambda work, group, exclusive: self.spawned.append((group, work)),
            monotonic=lambda: self.now,
        )
        self.sync.me = desk.user

    async def run_spawned(self) -> list[str]:
        groups = []
        while self.spawned:
            group, work = self.spawned.pop(0)
            groups.append(group)
            await work()
        return groups

    def refs(self) -> list[str]:
        return [r.ref for r in self.screen.queue.rows if r.item is not None]

    def close(self) -> None:
        self.backend.shutdown()


def two_faults(desk, fault):
    second = desk.faults.log(
        customer="华东电网",
        system="SCADA",
        title="SCADA slow",
        level=2,
        channel="electronic",
        symptom="slow",
        at=desk.clock.now() - timedelta(minutes=10),
    )
    return fault, second


async def test_a_reload_shows_the_queue_and_the_fault_under_the_cursor(desk, fault):
    h = Harness(desk)
    try:
        await h.sync.reload()
        assert h.refs() == [i.fault.ref for i in desk.reads.open_queue()] == [fault.ref]
        assert h.desk.calls == ["last_change", "open_queue", "fault_view"]
        assert h.screen.views[-1].fault.ref == fault.ref
        assert h.sync.last_change == desk.reads.last_change()
    finally:
        h.close()


async def test_a_verbs_fault_alone_is_read_and_takes_its_row(desk, fault):
    first, second = two_faults(desk, fault)
    h = Harness(desk)
    try:
        await h.sync.reload()
        h.screen.queue.cursor = h.refs().index(first.ref)
        h.desk.calls.clear()
        done = desk.faults.respond(first.ref, version=first.version, how="phone")
        await h.sync.fault_changed(done.ref)
        assert h.desk.calls == ["fault_view"]  # neither the queue nor the other fault
        row = h.screen.queue.row(first.ref)
        assert row.item.fault == done and row.item.clocks.band is not None
        assert h.screen.views[-1].fault == done  # the detail: under the cursor
        assert {i.fault.ref for i in h.sync.items} == {first.ref, second.ref}
        fresh = {i.fault.ref: i for i in desk.reads.open_queue()}
        assert row.item.clocks.next_breach == fresh[first.ref].clocks.next_breach
    finally:
        h.close()


async def test_a_verbs_own_view_takes_its_row_and_the_detail_with_no_read(desk, fault):
    first, second = two_faults(desk, fault)
    h = Harness(desk)
    try:
        await h.sync.reload()
        h.screen.queue.cursor = h.refs().index(first.ref)
        h.desk.calls.clear()
        changed = desk.changed(
            lambda d: d.faults.respond(first.ref, version=first.version, how="phone")
        )
        await h.sync.fault_changed(first.ref, changed.view)
        assert h.desk.calls == []  # the verb's view is shown as it came
        row = h.screen.queue.row(first.ref)
        assert row.item.fault == changed.result and h.screen.views[-1] is changed.view
        assert {i.fault.ref for i in h.sync.items} == {first.ref, second.ref}
        # The poll then finds only this console's event: nothing is read again.
        assert await h.sync.poll() is None and h.desk.calls == ["last_change"]
    finally:
        h.close()


async def test_the_poll_reloads_only_for_a_commit_that_is_not_the_consoles(desk, fault):
    first, second = two_faults(desk, fault)
    h = Harness(desk)
    try:
        await h.sync.reload()
        done = desk.faults.respond(first.ref, version=first.version, how="phone")
        await h.sync.fault_changed(done.ref)
        h.desk.calls.clear()
        await h.sync.poll()
        assert h.desk.calls == ["last_change"]  # its own event, shown already
        assert h.sync.last_change == desk.reads.last_change()
        await h.sync.poll()
        assert h.desk.calls == ["last_change"] * 2
        other = desk.as_user("alice")
        other.faults.assign(second.ref, "alice", version=second.version)
        await h.sync.poll()
        assert "open_queue" in h.desk.calls
        assert h.screen.queue.row(second.ref).item.fault.assignee == "alice"
    finally:
        h.close()


async def test_requests_made_during_a_read_are_served_by_one_more(desk, fault):
    h = Harness(desk)
    try:
        h.desk.gate = threading.Event()
        first = asyncio.create_task(h.sync.reload())
        loop = asyncio.get_running_loop()
        assert await loop.run_in_executor(None, h.desk.reading.wait, HANG)
        await h.sync.reload()  # both return at once: the running read serves them
        await h.sync.fault_changed(fault.ref)
        h.desk.gate.set()
        await asyncio.wait_for(first, HANG)
        assert h.desk.calls.count("open_queue") == 2  # one more round, a whole one
    finally:
        h.close()


async def test_a_filter_set_during_a_read_applies_to_what_it_read(desk, fault):
    """The backend thread works out the rows with the shape it was handed; the filter
    changed meanwhile is applied on the loop, never read from the thread."""
    h = Harness(desk)
    try:
        h.desk.gate = threading.Event()
        task = asyncio.create_task(h.sync.reload())
        loop = asyncio.get_running_loop()
        assert await loop.run_in_executor(None, h.desk.reading.wait, HANG)
        h.sync.filter = QueueFilter(level=3)  # no such fault
        h.desk.gate.set()
        await asyncio.wait_for(task, HANG)
        assert h.refs() == []
        assert [i.fault.ref for i in h.sync.items] == [fault.ref]  # the queue itself is read
    finally:
        h.close()


async def test_a_fault_resolved_under_the_cursor_stays_in_its_row(desk, fault):
    first, second = (
        desk.faults.respond(f.ref, version=None, how="phone") for f in two_faults(desk, fault)
    )
    h = Harness(desk)
    try:
        await h.sync.reload()
        h.screen.queue.cursor = h.refs().index(first.ref)
        # Not under the cursor: it just leaves.
        gone = desk.faults.resolve(second.ref, version=second.version, summary="fixed")
        await h.sync.fault_changed(gone.ref)
        assert h.refs() == [first.ref] and [i.fault.ref for i in h.sync.items] == [first.ref]
        # Under the cursor: out of the open queue, but kept in its row, marked done.
        done = desk.faults.resolve(first.ref, version=first.version, summary="fixed")
        await h.sync.fault_changed(done.ref)
        assert h.sync.items == []
        row = h.screen.queue.rows[h.screen.queue.cursor]
        assert row.ref == first.ref and isinstance(row.item, DoneItem)
        assert row.item.fault == done and h.screen.views[-1].fault == done
    finally:
        h.close()


async def test_views_kept_go_stale_with_a_new_version_or_with_time(desk, fault):
    first, second = two_faults(desk, fault)
    h = Harness(desk)
    try:
        await h.sync.reload()
        views = h.sync.views
        assert views.kept(h.screen.queue.cursor_ref) is not None
        # The cursor's view read and shown, its neighbours are read ahead.
        assert [g for g, _w in h.spawned] == ["ahead"]
        await h.run_spawned()
        other = next(r for r in h.refs() if r != h.screen.queue.cursor_ref)
        assert views.kept(other) is not None
        h.now += VIEW_EVERY + 1  # the share used moved on
        assert views.kept(other) is None
        h.now -= VIEW_EVERY + 1
        changed = desk.as_user("alice").faults.assign(
            other, "alice", version=desk.reads.fault(other).version
        )
        await h.sync.reload()
        assert views.kept(other) is None  # its row shows a newer version
        assert h.screen.queue.row(other).item.fault == changed
    finally:
        h.close()


async def test_ticks_read_again_as_a_backstop_and_ask_for_news(desk, fault):
    h = Harness(desk)
    try:
        await h.sync.reload()
        h.sync.tick()
        assert [g for g, _w in h.spawned] == ["poll"]  # no watch: asked every tick
        h.spawned.clear()
        h.now += VIEW_EVERY
        h.sync.tick()
        assert [g for g, _w in h.spawned] == ["view", "poll"]  # the cursor's clocks' share
        h.spawned.clear()
        h.now += RELOAD_EVERY
        h.sync.tick()
        assert [g for g, _w in h.spawned] == ["reload"]
        h.desk.calls.clear()
        await h.run_spawned()
        assert "open_queue" in h.desk.calls
    finally:
        h.close()


def test_a_fault_in_the_resolved_list_is_replaced_dropped_or_placed_by_a_read(desk, fault):
    responded = desk.faults.respond(fault.ref, version=fault.version, how="phone")
    recorded = desk.faults.record(  # a level-1 fault closes with its record whole
        fault.ref, version=responded.version, diagnosis="d", handling="h", losses="l", changes="c"
    )
    resolved = desk.faults.resolve(fault.ref, version=recorded.version, summary="fixed")
    listed = [DoneItem(resolved)]
    closed = desk.faults.close(fault.ref, version=resolved.version)
    view = desk.reads.fault_view(fault.ref)
    assert with_done(listed, view, "resolved") == []  # closed: off the resolved list
    assert with_done([], view, "closed") is None  # onto the closed list: a read places it
    assert [d.fault for d in with_done(listed, view, "closed")] == [closed]  # as stored now
