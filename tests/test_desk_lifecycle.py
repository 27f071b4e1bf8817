"""A fault's whole life, and the audit trail it leaves."""

from __future__ import annotations

from datetime import timedelta

from conftest import NOW
from sqlmodel import Session, select

from oncall.desk.history import fault_history
from oncall.sla import evaluate
from oncall.store.models import AuditEvent

M = timedelta(minutes=1)


def test_full_life_audit_trail(desk, clock):
    alice = desk.as_user("alice")
    bob = desk.as_user("bob")
    t0 = NOW - 90 * M
    # intake by the duty officer, back-dated to when the call came in
    f = desk.faults.log(
        customer="华东电网",
        system="SCADA",
        title="SCADA servers refuse connections",
        level=0,
        channel="phone",
        symptom="all consoles disconnected",
        contact="张工",
        at=t0,
    )
    f = desk.faults.respond(
        f.ref, version=f.version, how="phone", note="called back", at=t0 + 10 * M
    )
    f = desk.faults.assign(f.ref, "alice", version=f.version, at=t0 + 12 * M)
    w = alice.work.add(
        f.ref,
        version=f.version,
        mode="remote",
        start=t0 + 15 * M,
        end=t0 + 40 * M,
        done="VPN in, checked the cluster",
        result="needs hands on site",
    )
    f = alice.faults.propose(f.ref, version=w.fault_version, text="replace the PSU")
    o = alice.work.add(f.ref, version=f.version, mode="onsite", start=t0 + 60 * M)
    f = alice.faults.escalate(f.ref, version=o.fault_version, reason="PSU fix did not hold")
    assert f.assignee == "bob"
    o = bob.work.sign_off(o.id, version=f.version, customer_rep="张工", engineer="alice")
    f = bob.faults.record(
        f.ref,
        version=o.fault_version,
        diagnosis="PSU failure on node 2",
        handling="replaced PSU, failed over",
        losses="SCADA down 70 minutes",
        changes="node2 PSU replaced; cluster quorum reset",
    )
    f = bob.faults.resolve(f.ref, version=f.version, summary="PSU replaced")
    f = desk.faults.close(f.ref, version=f.version, note="customer confirmed")
    clock.advance(hours=2)
    f = desk.faults.reopen(f.ref, version=f.version, reason="node 2 down again")
    assert f.status == "in_progress" and f.version == 12  # one per verb

    trail = list(reversed(desk.reads.events(f.ref)))  # oldest first
    assert [(e.verb, e.user) for e in trail] == [
        ("log", "duty"),
        ("respond", "duty"),
        ("assign", "duty"),
        ("work_add", "alice"),
        ("propose_solution", "alice"),
        ("work_add", "alice"),
        ("escalate", "alice"),
        ("sign_off", "bob"),
        ("record", "bob"),
        ("resolve", "bob"),
        ("close", "duty"),
        ("reopen", "duty"),
    ]
    # when it happened (back-dated) and when it was logged
    assert [e.at for e in trail[:3]] == [t0, t0 + 10 * M, t0 + 12 * M]
    assert all(e.logged_at == NOW for e in trail[:-1]) and trail[-1].logged_at == NOW + 120 * M
    assert trail[0].data["level"] == 0 and trail[0].data["symptom"] == "all consoles disconnected"
    assert trail[3].data["mode"] == "remote" and trail[3].data["start"] == (t0 + 15 * M).isoformat()
    assert trail[6].data == {
        "from": "alice",
        "to": "bob",
        "from_seniority": "engineer",
        "to_seniority": "senior",
        "reason": "PSU fix did not hold",
    }
    assert trail[7].data["customer_rep"] == "张工" and trail[7].data["engineer"] == "alice"
    assert trail[-1].data == {"reason": "node 2 down again", "from": "closed"}
    assert len({e.id for e in trail}) == len(trail)

    # The fault view shows the same trail newest first, and the clocks come from it alone.
    view = desk.reads.fault_view(f.ref)
    assert [e.verb for e in view.events][:2] == ["reopen", "close"]
    with Session(desk.engine) as s:
        rows = s.exec(
            select(AuditEvent.verb, AuditEvent.at, AuditEvent.data)
            .where(AuditEvent.fault_id != None)  # noqa: E711
            .order_by(AuditEvent.id)
        ).all()
    clocks = evaluate(desk.policy, fault_history(rows), clock.now(), thresholds=True)
    assert clocks == view.clocks
    names = {c.name: c for c in clocks.clocks}
    assert names["respond"].stopped_at == t0 + 10 * M and names["respond"].met
    assert names["remote_fix"].started_at == t0 + 15 * M
    assert names["onsite_escalation"].stopped_at == NOW  # the escalation
    assert names["resolve"].started_at == NOW + 120 * M  # restarted by the reopen
    assert [w.mode for w in view.work] == ["remote", "onsite"]
    assert view.work[1].signed and view.work[1].end == NOW
    assert view.record.losses == "SCADA down 70 minutes"


def test_events_are_never_rewritten(desk, fault):
    before = desk.reads.events()
    f = desk.faults.respond(fault.ref, version=fault.version, how="phone")
    desk.faults.record(f.ref, version=f.version, diagnosis="d")
    after = desk.reads.events()
    assert after[len(after) - len(before) :] == before  # old events unchanged, new ones on top
    assert [e.verb for e in after[:2]] == ["record", "respond"]
