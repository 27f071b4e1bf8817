"""The open queue's fast read (Core rows, clock events only, histories kept by version)
gives what the per-fault reads give, verb after verb on the same desk."""

from __future__ import annotations

from datetime import timedelta

from oncall.desk import Desk

M = timedelta(minutes=1)


def assert_queue_matches_faults(desk) -> None:
    queue = desk.open_queue()
    fresh = Desk(desk.engine, desk.policy, desk.clock, desk.user).open_queue()  # no kept history
    assert queue == fresh
    for item in queue:
        assert item.fault == desk.fault(item.fault.ref)
        assert item.clocks == desk.fault_view(item.fault.ref).clocks, item.fault.ref


def test_queue_follows_every_verb(desk, clock, fault):
    ref = fault.ref
    assert_queue_matches_faults(desk)
    steps = [
        lambda v: desk.respond(ref, version=v, how="phone"),
        lambda v: desk.add_work(ref, version=v, mode="remote", start=clock.now() - 2 * M),
        lambda v: desk.pause(ref, version=v, reason="waiting for the customer"),
        lambda v: desk.resume(ref, version=v),
        lambda v: desk.change_level(ref, 2, version=v, reason="less urgent"),
        lambda v: desk.add_work(ref, version=v, mode="onsite", start=clock.now() - M),
        lambda v: desk.assign(ref, desk.user, version=v),
        lambda v: desk.escalate(ref, version=v, reason="stuck"),
        lambda v: desk.resolve(ref, version=v, summary="fixed"),
        lambda v: desk.reopen(ref, version=v, reason="back again"),
    ]
    for step in steps:
        clock.advance(minutes=7)
        step(desk.fault(ref).version)
        assert_queue_matches_faults(desk)


def test_queue_with_edited_work_and_many_faults(desk, clock, fault):
    refs = [fault.ref]
    for n in range(5):
        refs.append(
            desk.log_fault(
                customer=fault.customer,
                system=fault.system,
                title=f"fault {n}",
                level=1 + n % 3,
                channel=("phone", "electronic")[n % 2],
            ).ref
        )
        clock.advance(minutes=3)
    entry = desk.add_work(refs[1], version=desk.fault(refs[1]).version, mode="onsite")
    assert_queue_matches_faults(desk)
    clock.advance(minutes=1)
    desk.edit_work(entry.id, version=entry.fault_version, mode="remote", start=clock.now() - 10 * M)
    assert_queue_matches_faults(desk)
    desk.respond(refs[2], version=desk.fault(refs[2]).version, how="phone")
    desk.resolve(refs[2], version=desk.fault(refs[2]).version, summary="done")
    desk.close(refs[2], version=desk.fault(refs[2]).version)
    assert refs[2] not in [q.fault.ref for q in desk.open_queue()]
    assert_queue_matches_faults(desk)
