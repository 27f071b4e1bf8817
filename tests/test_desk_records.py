"""The desk's sub-objects: every verb returns what changed, the desk releases its
connections without closing a fault, the alert records answer for a missing alert."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlmodel import Session, select

from oncall.desk import FaultSummary, WorkEntry
from oncall.desk.alert_views import Resent
from oncall.store.models import AuditEvent

M = timedelta(minutes=1)


def events(desk) -> int:
    with Session(desk.engine) as s:
        return len(s.exec(select(AuditEvent.id)).all())


# A level-1 fault closes with its record whole (the policy's record_required).
WHOLE_RECORD = {"diagnosis": "PSU", "handling": "swap", "losses": "no", "changes": "PSU"}


def test_every_fault_verb_returns_the_fault_as_it_is_now(desk, fault):
    f = fault
    steps = [
        (desk.faults.respond, {"how": "phone"}, "responded"),
        (desk.faults.propose, {"text": "swap the PSU"}, "responded"),
        (desk.faults.pause, {"reason": "logs"}, "waiting"),
        (desk.faults.resume, {"note": "got them"}, "in_progress"),
        (desk.faults.record, WHOLE_RECORD, "in_progress"),
        (desk.faults.resolve, {"summary": "swapped"}, "resolved"),
        (desk.faults.close, {"note": "ok"}, "closed"),
        (desk.faults.reopen, {"reason": "again"}, "in_progress"),
    ]
    for verb, kwargs, status in steps:
        before = events(desk)
        got = verb(f.ref, version=f.version, **kwargs)
        assert isinstance(got, FaultSummary) and got.ref == f.ref
        assert got.version == f.version + 1 and got.status == status, verb.__name__
        assert got == desk.reads.fault(f.ref)  # what a reader sees now: no re-read needed
        assert events(desk) == before + 1
        f = got
    f = desk.faults.assign(f.ref, "alice", version=f.version)
    assert f.assignee == "alice" and f == desk.reads.fault(f.ref)
    f = desk.faults.level(f.ref, 2, version=f.version, reason="worse")
    assert f.level == 2 and f == desk.reads.fault(f.ref)


def test_every_work_verb_returns_the_entry_and_the_faults_new_version(desk, fault, clock):
    f = desk.faults.respond(fault.ref, version=fault.version, how="phone")
    w = desk.work.add(f.ref, version=f.version, mode="onsite", start=clock.now())
    assert isinstance(w, WorkEntry) and w.fault_version == f.version + 1
    clock.advance(minutes=30)
    w2 = desk.work.edit(w.id, version=w.fault_version, done="checked the cabinet")
    assert w2.done == "checked the cabinet" and w2.fault_version == w.fault_version + 1
    w3 = desk.work.end(w.id, version=w2.fault_version)
    assert w3.end == clock.now() and w3.fault_version == w2.fault_version + 1
    w4 = desk.work.sign_off(w.id, version=w3.fault_version, customer_rep="张工")
    assert w4.customer_signoff_name == "张工" and w4.fault_version == w3.fault_version + 1
    view = desk.reads.fault_view(f.ref)
    assert view.fault.version == w4.fault_version
    assert view.work == (dataclasses.replace(w4, fault_version=None),)  # as a reader sees it


def test_release_closes_the_connections_not_a_fault(desk, fault):
    desk.reads.open_queue()
    assert desk.engine.pool.checkedin() >= 1
    desk.release()
    assert desk.engine.pool.checkedin() == 0
    assert desk.reads.fault(fault.ref).status == "new"  # untouched, and the desk still reads


def test_resend_of_no_such_alert(desk):
    before = events(desk)
    assert desk.alerts.resend(424242) == Resent(False, None)
    assert desk.alerts.by_id(424242) is None
    assert events(desk) == before  # nothing queued: nothing audited


def test_acknowledge_returns_the_ids_it_acknowledged(desk):
    assert desk.alerts.acknowledge([]) == []
    assert desk.alerts.acknowledge(None) == []  # none fired yet
