"""The open queue's fast read (Core rows, clock events only, histories kept by version)
gives what the per-fault reads give, verb after verb on the same desk."""

from __future__ import annotations

from datetime import timedelta

from oncall.desk import Desk

M = timedelta(minutes=1)


def assert_queue_matches_faults(desk) -> None:
    queue = desk.reads.open_queue()
    fresh = Desk(
        desk.engine, desk.policy, desk.clock, desk.user
    ).reads.open_queue()  # no kept history
    assert queue == fresh
    for item in queue:
        assert item.fault == desk.reads.fault(item.fault.ref)
        assert item.clocks == desk.reads.fault_view(item.fault.ref).clocks, item.fault.ref


def test_queue_follows_every_verb(desk, clock, fault):
    ref = fault.ref
    assert_queue_matches_faults(desk)
    steps = [
        lambda v: desk.faults.respond(ref, version=v, how="phone"),
        lambda v: desk.work.add(ref, version=v, mode="remote", start=clock.now() - 2 * M),
        lambda v: desk.faults.pause(ref, version=v, reason="waiting for the customer"),
        lambda v: desk.faults.resume(ref, version=v),
        lambda v: desk.faults.level(ref, 2, version=v, reason="less urgent"),
        lambda v: desk.work.add(ref, version=v, mode="onsite", start=clock.now() - M),
        lambda v: desk.faults.assign(ref, desk.user, version=v),
        lambda v: desk.faults.escalate(ref, version=v, reason="stuck"),
        lambda v: desk.faults.resolve(ref, version=v, summary="fixed"),
        lambda v: desk.faults.reopen(ref, version=v, reason="back again"),
    ]
    for step in steps:
        clock.advance(minutes=7)
        step(desk.reads.fault(ref).version)
        assert_queue_matches_faults(desk)


def test_queue_with_edited_work_and_many_faults(desk, clock, fault):
    refs = [fault.ref]
    for n in range(5):
        refs.append(
            desk.faults.log(
                customer=fault.customer,
                system=fault.system,
                title=f"fault {n}",
                level=1 + n % 3,
                channel=("phone", "electronic")[n % 2],
            ).ref
        )
        clock.advance(minutes=3)
    entry = desk.work.add(refs[1], version=desk.reads.fault(refs[1]).version, mode="onsite")
    assert_queue_matches_faults(desk)
    clock.advance(minutes=1)
    desk.work.edit(entry.id, version=entry.fault_version, mode="remote", start=clock.now() - 10 * M)
    assert_queue_matches_faults(desk)
    desk.faults.respond(refs[2], version=desk.reads.fault(refs[2]).version, how="phone")
    desk.faults.resolve(refs[2], version=desk.reads.fault(refs[2]).version, summary="done")
    desk.faults.close(refs[2], version=desk.reads.fault(refs[2]).version)
    assert refs[2] not in [q.fault.ref for q in desk.reads.open_queue()]
    assert_queue_matches_faults(desk)


def test_a_paused_breached_fault_stays_among_the_breached(desk, clock):
    """Level 0 (7x24): resolve 4h after the report, solution 2h. A fault paused after
    its resolve deadline sorts by how late it is, counts as breached, says since when."""
    from conftest import assert_cache_right
    from desk_support import assert_peek_is_open_queue

    H = 60 * M
    now = clock.now()

    def log(title, hours_ago, pause_hours_ago=None):
        f = desk.faults.log(
            customer="华东电网",
            system="EMS",
            title=title,
            level=0,
            channel="phone",
            at=now - hours_ago * H,
        )
        f = desk.faults.respond(f.ref, version=f.version, how="phone", at=f.reported_at + 10 * M)
        f = desk.faults.propose(f.ref, version=f.version, text="t", at=f.reported_at + 20 * M)
        if pause_hours_ago is not None:
            f = desk.faults.pause(
                f.ref, version=f.version, reason="r", at=now - pause_hours_ago * H
            )
        return f.ref

    late3 = log("running, 3h late", 7)
    paused = log("paused 1h after its breach, 2h late", 6, pause_hours_ago=1)
    late1 = log("running, 1h late", 5)
    soon = log("running, due in 1h", 3)
    calm = log("paused in time", 2, pause_hours_ago=1)
    queue = desk.reads.open_queue()
    assert [q.fault.ref for q in queue] == [late3, paused, late1, soon, calm]
    by_ref = {q.fault.ref: q for q in queue}
    p = by_ref[paused]
    assert p.paused and p.breached and p.band.value == "breached"
    assert p.left(now) == -2 * H.seconds and p.paused_since == now - H
    assert p.clocks.next_clock == "resolve"
    c = by_ref[calm]
    assert c.paused and not c.breached and c.left(now) is None and c.band.value == "ok"
    assert [q.breached for q in queue] == [True, True, True, False, False]
    assert_cache_right(desk)  # the row's cached next breach follows the same rule
    assert_peek_is_open_queue(desk)  # and so does the console's quick read

    # Resumed: still 2h late, same place; the wait is over.
    f = desk.reads.fault(paused)
    desk.faults.resume(paused, version=f.version, at=now)
    queue = desk.reads.open_queue()
    assert [q.fault.ref for q in queue][:3] == [late3, paused, late1]
    assert queue[1].breached and queue[1].paused_since is None and not queue[1].paused
    assert_cache_right(desk)
