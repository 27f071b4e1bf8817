"""Every verb of the desk: what it changes, and every refusal (nothing written then)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import NOW
from sqlmodel import Session, func, select

from oncall.desk import (
    Desk,
    DeskError,
    InvalidTransition,
    NotFound,
    SystemInfo,
    UnknownEngineer,
    ValidationError,
)
from oncall.store.models import AuditEvent, Fault

H = timedelta(hours=1)
M = timedelta(minutes=1)


def count_events(desk: Desk) -> int:
    with Session(desk.engine) as s:
        return s.exec(select(func.count()).select_from(AuditEvent)).one()


def row(desk: Desk, ref: str) -> Fault:
    with Session(desk.engine) as s:
        return s.exec(select(Fault).where(Fault.ref == ref)).one()


def refused(desk: Desk, error: type[DeskError], match: str, call, *args, **kwargs):
    """The call raises ``error`` with ``match`` in its one-line message; nothing is written."""
    before = count_events(desk)
    versions = {f.ref: f.version for f in desk.reads.faults(include_closed=True)}
    with pytest.raises(error, match=match) as info:
        call(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message and message
    assert count_events(desk) == before
    assert {f.ref: f.version for f in desk.reads.faults(include_closed=True)} == versions
    return info.value


def responded(desk, fault):
    return desk.faults.respond(fault.ref, version=fault.version, how="phone", note="called back")


# -- log --------------------------------------------------------------------------------


def test_log_fault(desk, fault):
    assert fault.ref == "F-2026-00001"
    assert fault.status == "new" and fault.version == 1
    assert fault.customer == "华东电网" and fault.system == "EMS"
    assert fault.reported_by == "duty" and fault.assignee is None
    assert fault.reported_at == NOW - H
    # level 1 phone: respond within 2 service hours of 7x8 (09:00 Shanghai + 2h)
    assert fault.next_clock == "respond"
    assert fault.next_breach == datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    second = desk.faults.log(
        customer="华东电网", system="SCADA", title="x", level=3, channel="electronic"
    )
    assert second.ref == "F-2026-00002" and second.reported_at == NOW


def test_ref_year_is_the_desks_local_year(desk, clock):
    # 2025-12-31 17:00 UTC is already 2026-01-01 01:00 in Shanghai
    f = desk.faults.log(
        customer="华东电网",
        system="EMS",
        title="new year",
        level=0,
        channel="phone",
        at=datetime(2025, 12, 31, 17, 0, tzinfo=UTC),
    )
    assert f.ref == "F-2026-00001"
    g = desk.faults.log(
        customer="华东电网",
        system="EMS",
        title="old year",
        level=0,
        channel="phone",
        at=datetime(2025, 12, 31, 15, 0, tzinfo=UTC),
    )
    assert g.ref == "F-2025-00001"


def test_log_refusals(desk):
    ok = dict(customer="华东电网", system="EMS", title="t", level=1, channel="phone")
    cases = [
        ({"title": "   "}, ValidationError, "title is empty"),
        ({"customer": "nobody"}, NotFound, "no customer 'nobody'"),
        ({"system": "ERP"}, NotFound, "has no system 'ERP' \\(it has: EMS, SCADA\\)"),
        ({"level": 7}, ValidationError, "level 7 is not one of the policy's levels"),
        ({"level": True}, ValidationError, "level True"),
        ({"channel": "pigeon"}, ValidationError, "channel 'pigeon' is not one of"),
        ({"assignee": "ghost"}, UnknownEngineer, "no engineer 'ghost'"),
        ({"at": NOW + M}, ValidationError, "in the future"),
        ({"at": datetime(2026, 3, 10, 1, 0)}, ValidationError, "has no time zone"),
        ({"symptom": "a\x00b"}, ValidationError, "NUL byte"),
        ({"symptom": "x" * (64 * 1024 + 1)}, ValidationError, "over the limit of 64 KiB"),
        ({"title": "t" * 501}, ValidationError, "over the limit of 500"),
        ({"symptom": "\ud800"}, ValidationError, "not valid Unicode"),
    ]
    for change, error, match in cases:
        refused(desk, error, match, desk.faults.log, **{**ok, **change})


def test_control_characters_are_stored_as_given(desk):
    text = "line1\nline2\t\x1b[31mred\x1b[0m\r\x07"
    f = desk.faults.log(
        customer="华东电网", system="EMS", title="ctl", level=2, channel="phone", symptom=text
    )
    assert desk.reads.fault_view(f.ref).record.symptom == text
    exactly = "é" * (32 * 1024)  # 64 KiB of UTF-8 exactly is allowed
    desk.faults.record(f.ref, version=f.version, diagnosis=exactly)
    assert desk.reads.fault_view(f.ref).record.diagnosis == exactly


def test_unknown_os_user_is_told_how_to_be_added(desk, fault):
    stranger = desk.as_user("mallory")
    error = refused(
        desk,
        UnknownEngineer,
        "not on the engineers' roster",
        stranger.faults.respond,
        fault.ref,
        version=fault.version,
        how="phone",
    )
    assert "oncall engineer add mallory --name NAME --seniority" in str(error)
    with pytest.raises(UnknownEngineer, match="oncall engineer add mallory"):
        stranger.roster.me()
    refused(desk, UnknownEngineer, "mallory", stranger.customers.add, "X")
    refused(
        desk,
        UnknownEngineer,
        "mallory",
        stranger.faults.log,
        customer="华东电网",
        system="EMS",
        title="t",
        level=1,
        channel="phone",
    )


def test_unknown_fault_and_entry(desk):
    refused(
        desk,
        NotFound,
        "no fault F-2026-09999",
        desk.faults.respond,
        "F-2026-09999",
        version=1,
        how="phone",
    )
    refused(desk, NotFound, "no work entry #42", desk.work.end, 42, version=1)
    with pytest.raises(NotFound):
        desk.reads.fault_view("F-2026-09999")
    with pytest.raises(NotFound):
        desk.reads.fault("nope")


# -- respond ----------------------------------------------------------------------------


def test_respond(desk, fault):
    f = desk.faults.respond(fault.ref, version=1, how="onsite", note="on my way", at=NOW - 30 * M)
    assert f.status == "responded" and f.version == 2
    assert f.responded_at == NOW - 30 * M
    assert f.next_clock == "resolve"
    refused(
        desk,
        InvalidTransition,
        "already responded to",
        desk.faults.respond,
        f.ref,
        version=2,
        how="phone",
    )
    refused(
        desk,
        ValidationError,
        "response channel 'fax'",
        desk.faults.respond,
        f.ref,
        version=2,
        how="fax",
    )


def test_respond_time_checks(desk, fault):
    refused(
        desk,
        ValidationError,
        "before F-2026-00001 was reported",
        desk.faults.respond,
        fault.ref,
        version=1,
        how="phone",
        at=fault.reported_at - M,
    )
    refused(
        desk,
        ValidationError,
        "in the future",
        desk.faults.respond,
        fault.ref,
        version=1,
        how="phone",
        at=NOW + 5 * M,
    )
    f = desk.faults.respond(
        fault.ref, version=1, how="phone", at=fault.reported_at
    )  # the same instant
    assert f.responded_at == fault.reported_at


def test_clock_verbs_cannot_be_back_dated_before_the_last_change(desk, fault):
    f = desk.faults.respond(fault.ref, version=1, how="phone", at=NOW - 20 * M)
    refused(
        desk,
        ValidationError,
        "before F-2026-00001's last change of state",
        desk.faults.pause,
        f.ref,
        version=f.version,
        reason="r",
        at=NOW - 30 * M,
    )
    # verbs that do not move a clock may be back-dated freely (after the report)
    g = desk.faults.assign(f.ref, "alice", version=f.version, at=NOW - 50 * M)
    assert g.assignee == "alice"


# -- solution, assign ---------------------------------------------------------------------


def test_propose_solution(desk, fault):
    refused(
        desk,
        InvalidTransition,
        "not been responded to yet",
        desk.faults.propose,
        fault.ref,
        version=1,
        text="reboot",
    )
    f = responded(desk, fault)
    refused(
        desk,
        ValidationError,
        "solution is empty",
        desk.faults.propose,
        f.ref,
        version=f.version,
        text=" ",
    )
    g = desk.faults.propose(f.ref, version=f.version, text="swap the RTU card", at=NOW)
    assert g.solution_at == NOW and g.status == "responded"
    view = desk.reads.fault_view(g.ref)
    assert view.clocks.clock("solution").stopped_at == NOW
    # a second proposal is recorded but the clock keeps the first
    h = desk.faults.propose(g.ref, version=g.version, text="or this")
    assert h.solution_at == NOW and h.version == g.version + 1


def test_assign(desk, fault):
    f = desk.faults.assign(fault.ref, "alice", version=1, note="yours")
    assert f.assignee == "alice" and f.status == "new"
    refused(
        desk,
        InvalidTransition,
        "already assigned to alice",
        desk.faults.assign,
        f.ref,
        "alice",
        version=f.version,
    )
    refused(
        desk,
        UnknownEngineer,
        "no engineer 'ghost'",
        desk.faults.assign,
        f.ref,
        "ghost",
        version=f.version,
    )


# -- work entries --------------------------------------------------------------------------


def test_add_edit_end_work(desk, fault):
    f = responded(desk, fault)
    w = desk.work.add(
        f.ref, version=f.version, mode="remote", start=NOW - 40 * M, done="ssh in", engineer="alice"
    )
    assert w.fault_version == f.version + 1 and w.end is None and w.engineer == "alice"
    assert desk.reads.fault(f.ref).status == "in_progress"
    view = desk.reads.fault_view(f.ref)
    assert view.clocks.clock("remote_fix").started_at == NOW - 40 * M
    w2 = desk.work.edit(w.id, version=w.fault_version, start=NOW - 50 * M, done="ssh in again")
    assert w2.start == NOW - 50 * M and w2.done == "ssh in again"
    assert desk.reads.fault_view(f.ref).clocks.clock("remote_fix").started_at == NOW - 50 * M
    refused(
        desk,
        ValidationError,
        "nothing to change",
        desk.work.edit,
        w.id,
        version=w2.fault_version,
        done="ssh in again",
    )
    w3 = desk.work.end(w.id, version=w2.fault_version, result="fixed the route")
    assert w3.end == NOW and w3.result == "fixed the route"
    refused(desk, InvalidTransition, "already ended", desk.work.end, w.id, version=w3.fault_version)


def test_work_refusals(desk, fault):
    f = responded(desk, fault)
    v = f.version
    refused(
        desk,
        ValidationError,
        "work mode 'carrier pigeon'",
        desk.work.add,
        f.ref,
        version=v,
        mode="carrier pigeon",
    )
    refused(
        desk,
        ValidationError,
        "end .* is before its start",
        desk.work.add,
        f.ref,
        version=v,
        mode="phone",
        start=NOW - 10 * M,
        end=NOW - 20 * M,
    )
    refused(
        desk,
        ValidationError,
        "start .* is before F-2026-00001 was reported",
        desk.work.add,
        f.ref,
        version=v,
        mode="phone",
        start=fault.reported_at - M,
    )
    refused(
        desk,
        ValidationError,
        "in the future",
        desk.work.add,
        f.ref,
        version=v,
        mode="phone",
        start=NOW - M,
        end=NOW + M,
    )
    refused(
        desk,
        UnknownEngineer,
        "ghost",
        desk.work.add,
        f.ref,
        version=v,
        mode="phone",
        engineer="ghost",
    )
    w = desk.work.add(f.ref, version=v, mode="phone", start=NOW - 10 * M)
    refused(
        desk,
        ValidationError,
        "end .* is before its start",
        desk.work.end,
        w.id,
        version=w.fault_version,
        end=NOW - 20 * M,
    )
    refused(
        desk,
        ValidationError,
        "end .* is before its start",
        desk.work.edit,
        w.id,
        version=w.fault_version,
        end=NOW - 20 * M,
    )


def test_work_on_a_new_fault_keeps_it_new(desk, fault):
    w = desk.work.add(fault.ref, version=1, mode="phone", done="guided the customer")
    assert desk.reads.fault(fault.ref).status == "new" and w.fault_version == 2


# -- sign-off -----------------------------------------------------------------------------


def test_sign_off_onsite_work(desk, fault):
    f = responded(desk, fault)
    w = desk.work.add(f.ref, version=f.version, mode="onsite", start=NOW - 30 * M, engineer="alice")
    s = desk.work.sign_off(w.id, version=w.fault_version, customer_rep="张工")
    assert s.customer_signoff_name == "张工" and s.customer_signoff_at == NOW
    assert s.engineer_signoff == "alice" and s.engineer_signoff_at == NOW
    assert s.end == NOW and s.signed  # open on-site work ends when the customer confirms
    assert desk.reads.fault(f.ref).signed_off_at == NOW
    refused(
        desk,
        InvalidTransition,
        "already signed off by 张工",
        desk.work.sign_off,
        w.id,
        version=s.fault_version,
        customer_rep="李工",
    )
    refused(
        desk,
        InvalidTransition,
        "signed off by the customer and cannot be changed",
        desk.work.edit,
        w.id,
        version=s.fault_version,
        done="rewrite history",
    )


def test_sign_off_asks_for_the_end_of_work_still_going_on(desk, fault):
    f = responded(desk, fault)
    w = desk.work.add(f.ref, version=f.version, mode="onsite", start=NOW - 50 * M)
    s = desk.work.sign_off(w.id, version=w.fault_version, customer_rep="张工", end=NOW - 20 * M)
    assert s.end == NOW - 20 * M and s.customer_signoff_at == NOW  # not the sign-off time
    data = desk.reads.events(f.ref, limit=1)[0].data
    assert data["ended"] == (NOW - 20 * M).isoformat() and data["ended_was"] is None
    # back-dated without an end: the work ends at the sign-off's own time, not now
    o = desk.work.add(f.ref, version=s.fault_version, mode="onsite", start=NOW - 40 * M)
    t = desk.work.sign_off(o.id, version=o.fault_version, customer_rep="张工", at=NOW - 10 * M)
    assert t.end == NOW - 10 * M


def test_sign_off_keeps_or_corrects_the_entrys_own_end(desk, fault):
    f = responded(desk, fault)
    w = desk.work.add(f.ref, version=f.version, mode="onsite", start=NOW - 50 * M, end=NOW - 30 * M)
    s = desk.work.sign_off(w.id, version=w.fault_version, customer_rep="张工")
    assert s.end == NOW - 30 * M  # its own end, untouched
    data = desk.reads.events(f.ref, limit=1)[0].data
    assert data["ended"] is None and data["ended_was"] is None
    o = desk.work.add(
        f.ref, version=s.fault_version, mode="onsite", start=NOW - 50 * M, end=NOW - 30 * M
    )
    t = desk.work.sign_off(o.id, version=o.fault_version, customer_rep="张工", end=NOW - 25 * M)
    assert t.end == NOW - 25 * M  # the last chance to correct it: signed entries are final
    data = desk.reads.events(f.ref, limit=1)[0].data
    assert data["ended"] == (NOW - 25 * M).isoformat()
    assert data["ended_was"] == (NOW - 30 * M).isoformat()


def test_sign_off_refuses_an_end_before_the_start_or_in_the_future(desk, fault):
    f = responded(desk, fault)
    o = desk.work.add(f.ref, version=f.version, mode="onsite", start=NOW - 20 * M)
    for end, match in (
        (NOW - 30 * M, "the work's end .* is before its start"),
        (NOW + M, "the work's end .* is in the future"),
        (datetime(2026, 3, 10, 1, 0), "has no time zone"),
    ):
        refused(
            desk,
            ValidationError,
            match,
            desk.work.sign_off,
            o.id,
            version=o.fault_version,
            customer_rep="张工",
            end=end,
        )


def test_sign_off_refusals(desk, fault):
    f = responded(desk, fault)
    w = desk.work.add(f.ref, version=f.version, mode="remote", start=NOW - 30 * M)
    refused(
        desk,
        InvalidTransition,
        "only on-site work is signed off",
        desk.work.sign_off,
        w.id,
        version=w.fault_version,
        customer_rep="张工",
    )
    o = desk.work.add(f.ref, version=w.fault_version, mode="onsite", start=NOW - 20 * M)
    refused(
        desk,
        ValidationError,
        "customer representative is empty",
        desk.work.sign_off,
        o.id,
        version=o.fault_version,
        customer_rep="",
    )
    refused(
        desk,
        ValidationError,
        "before the work started",
        desk.work.sign_off,
        o.id,
        version=o.fault_version,
        customer_rep="张工",
        at=NOW - 25 * M,
    )
    refused(
        desk,
        UnknownEngineer,
        "ghost",
        desk.work.sign_off,
        o.id,
        version=o.fault_version,
        customer_rep="张工",
        engineer="ghost",
    )


# -- escalate -------------------------------------------------------------------------------


def test_escalate_one_step_up(desk, fault):
    f = responded(desk, fault)
    refused(
        desk,
        InvalidTransition,
        "no assignee to escalate from",
        desk.faults.escalate,
        f.ref,
        version=f.version,
        reason="hard",
    )
    f = desk.faults.assign(f.ref, "alice", version=f.version)
    refused(
        desk,
        ValidationError,
        "reason is empty",
        desk.faults.escalate,
        f.ref,
        version=f.version,
        reason="",
    )
    g = desk.faults.escalate(f.ref, version=f.version, reason="needs a senior")
    assert g.assignee == "bob"  # the senior; carol is an expert, two steps up
    ev = desk.reads.events(g.ref, limit=1)[0]
    assert ev.verb == "escalate"
    assert ev.data["from"] == "alice" and ev.data["to"] == "bob"
    h = desk.faults.escalate(g.ref, version=g.version, reason="needs the expert")
    assert h.assignee == "carol"
    refused(
        desk,
        InvalidTransition,
        "nobody on the roster is more senior than carol",
        desk.faults.escalate,
        h.ref,
        version=h.version,
        reason="more",
    )


def test_escalate_to_a_named_engineer(desk, fault):
    f = desk.faults.assign(fault.ref, "bob", version=1)
    refused(
        desk,
        ValidationError,
        "alice \\(engineer\\) is not more senior than bob",
        desk.faults.escalate,
        f.ref,
        version=f.version,
        reason="r",
        to="alice",
    )
    refused(
        desk,
        ValidationError,
        "duty \\(engineer\\) is not more senior",
        desk.faults.escalate,
        f.ref,
        version=f.version,
        reason="r",
        to="duty",
    )
    g = desk.faults.escalate(f.ref, version=f.version, reason="r", to="carol")
    assert g.assignee == "carol"


def test_escalate_prefers_engineers_on_duty(desk, fault):
    desk.roster.add("dave", "Dave", "senior", on_duty=False)
    desk.roster.add("aaron", "Aaron", "senior", on_duty=False)
    desk.roster.set_on_duty("bob", False)
    desk.roster.set_on_duty("dave", True)
    f = desk.faults.assign(fault.ref, "alice", version=1)
    assert desk.faults.escalate(f.ref, version=f.version, reason="r").assignee == "dave"


def test_escalate_prefers_on_duty_to_the_nearest_step(desk, fault):
    """Seniors all off duty, the expert on duty: the expert (at 3 a.m. nobody else answers)."""
    desk.roster.set_on_duty("bob", False)
    desk.roster.set_on_duty("carol", True)
    f = desk.faults.assign(fault.ref, "alice", version=1)
    assert desk.faults.escalate(f.ref, version=f.version, reason="r").assignee == "carol"


# -- pause and resume -----------------------------------------------------------------------


def test_pause_and_resume(desk, fault, clock):
    refused(
        desk,
        InvalidTransition,
        "not been responded to yet",
        desk.faults.pause,
        fault.ref,
        version=1,
        reason="logs",
    )
    refused(
        desk,
        InvalidTransition,
        "is not waiting on the customer \\(it is new\\)",
        desk.faults.resume,
        fault.ref,
        version=1,
    )
    f = responded(desk, fault)
    before = desk.reads.fault_view(f.ref).clocks.clock("resolve").deadline
    refused(
        desk,
        ValidationError,
        "reason is empty",
        desk.faults.pause,
        f.ref,
        version=f.version,
        reason="",
    )
    p = desk.faults.pause(f.ref, version=f.version, reason="waiting for logs")
    assert p.status == "waiting"
    resolve = desk.reads.fault_view(p.ref).clocks.clock("resolve")
    assert resolve.paused and resolve.deadline is None
    assert p.next_clock == "solution"  # not pausable: it keeps running
    refused(
        desk,
        InvalidTransition,
        "already waiting",
        desk.faults.pause,
        p.ref,
        version=p.version,
        reason="again",
    )
    clock.advance(hours=1)
    r = desk.faults.resume(p.ref, version=p.version, note="logs came")
    assert r.status == "in_progress"
    # due 17:00 Shanghai before; an hour of 7x8 paused moves it to 10:00 the next day
    assert before == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert desk.reads.fault_view(r.ref).clocks.clock("resolve").deadline == datetime(
        2026, 3, 11, 2, 0, tzinfo=UTC
    )
    assert desk.reads.fault_view(r.ref).clocks.paused_wall_seconds == 3600
    view = desk.reads.fault_view(r.ref)
    assert view.clocks.paused_wall_seconds == 3600


# -- change level ---------------------------------------------------------------------------


def test_change_level_recomputes_from_the_report(desk, fault):
    f = desk.faults.level(fault.ref, 0, version=1, reason="whole site down")
    assert f.level == 0
    # level 0: respond within 1 h, 7x24, from the report (01:00 UTC)
    assert f.next_breach == fault.reported_at + H and f.next_clock == "respond"
    refused(
        desk,
        InvalidTransition,
        "already level 0",
        desk.faults.level,
        f.ref,
        0,
        version=f.version,
        reason="r",
    )
    refused(
        desk,
        ValidationError,
        "level 9 is not one of",
        desk.faults.level,
        f.ref,
        9,
        version=f.version,
        reason="r",
    )
    refused(
        desk,
        ValidationError,
        "reason is empty",
        desk.faults.level,
        f.ref,
        1,
        version=f.version,
        reason=" ",
    )


# -- the record -----------------------------------------------------------------------------


def test_update_record(desk, fault):
    f = desk.faults.record(fault.ref, version=1, diagnosis="RTU card", changes="swapped card")
    view = desk.reads.fault_view(f.ref)
    assert view.record.diagnosis == "RTU card" and view.record.changes == "swapped card"
    assert view.record.symptom == "RTU data stale since 09:00"
    g = desk.faults.record(f.ref, version=f.version, symptom="all RTUs stale")
    assert desk.reads.fault_view(g.ref).record.symptom == "all RTUs stale"
    assert desk.reads.events(g.ref, limit=1)[0].data == {"fields": {"symptom": "all RTUs stale"}}
    refused(
        desk,
        ValidationError,
        "nothing to change",
        desk.faults.record,
        g.ref,
        version=g.version,
        diagnosis="RTU card",
    )
    refused(
        desk,
        ValidationError,
        "losses contains a NUL",
        desk.faults.record,
        g.ref,
        version=g.version,
        losses="\x00",
    )


# -- resolve, close, reopen ----------------------------------------------------------------


def test_resolve_needs_a_response_and_a_summary(desk, fault):
    refused(
        desk,
        InvalidTransition,
        "never responded to",
        desk.faults.resolve,
        fault.ref,
        version=1,
        summary="done",
    )
    f = responded(desk, fault)
    refused(
        desk,
        ValidationError,
        "resolution summary is empty",
        desk.faults.resolve,
        f.ref,
        version=f.version,
        summary="",
    )
    r = desk.faults.resolve(f.ref, version=f.version, summary="card swapped")
    assert r.status == "resolved" and r.resolved_at == NOW
    assert r.next_breach is None  # every clock stopped
    refused(
        desk,
        InvalidTransition,
        "already resolved",
        desk.faults.resolve,
        r.ref,
        version=r.version,
        summary="again",
    )
    refused(
        desk,
        InvalidTransition,
        "cannot pause .*: it is resolved",
        desk.faults.pause,
        r.ref,
        version=r.version,
        reason="r",
    )
    refused(
        desk,
        InvalidTransition,
        "cannot escalate",
        desk.faults.escalate,
        r.ref,
        version=r.version,
        reason="r",
    )


def test_resolve_ends_a_wait(desk, fault):
    f = responded(desk, fault)
    p = desk.faults.pause(f.ref, version=f.version, reason="logs")
    r = desk.faults.resolve(p.ref, version=p.version, summary="fixed anyway")
    assert r.status == "resolved"


def with_record(desk, f):
    """``f`` with its fault record filled: the policy closes a level 0-1 fault only so."""
    return desk.faults.record(
        f.ref, version=f.version, diagnosis="PSU", handling="swapped", losses="none", changes="PSU"
    )


def test_close(desk, fault):
    f = responded(desk, fault)
    refused(
        desk, InvalidTransition, "not resolved yet", desk.faults.close, f.ref, version=f.version
    )
    r = with_record(desk, desk.faults.resolve(f.ref, version=f.version, summary="ok"))
    c = desk.faults.close(r.ref, version=r.version, note="customer agrees")
    assert c.status == "closed" and c.closed_at == NOW
    refused(desk, InvalidTransition, "already closed", desk.faults.close, c.ref, version=c.version)
    for call, kwargs in (
        (desk.faults.assign, {"engineer": "bob"}),
        (desk.work.add, {"mode": "phone"}),
        (desk.faults.level, {"level": 0, "reason": "r"}),
    ):
        refused(
            desk,
            InvalidTransition,
            "is closed: reopen it first",
            call,
            c.ref,
            version=c.version,
            **kwargs,
        )
    # the record can still be completed after closing
    assert desk.faults.record(c.ref, version=c.version, losses="1h").status == "closed"


def test_close_names_the_record_fields_the_policy_requires(desk, fault):
    f = responded(desk, fault)  # level 1: the whole record (data/sla.toml)
    r = desk.faults.resolve(f.ref, version=f.version, summary="ok")
    r = desk.faults.record(r.ref, version=r.version, diagnosis="PSU", changes="PSU")
    before = len(desk.reads.events(limit=1000))
    refused(
        desk,
        InvalidTransition,
        f"^{r.ref} cannot be closed: its fault record lacks handling process, losses "
        "\\(the policy requires them\\)$",
        desk.faults.close,
        r.ref,
        version=r.version,
    )
    r = desk.faults.record(r.ref, version=r.version, handling="  ", losses="none")
    refused(desk, InvalidTransition, "lacks handling process \\(", desk.faults.close, r.ref,
            version=r.version)  # fmt: skip
    assert len(desk.reads.events(limit=1000)) == before + 1  # the record only
    r = desk.faults.record(r.ref, version=r.version, handling="swapped")
    assert desk.faults.close(r.ref, version=r.version).status == "closed"
    # a level the policy does not list closes with an empty record
    low = desk.faults.log(customer="华东电网", system="EMS", title="t", level=2, channel="phone")
    low = desk.faults.respond(low.ref, version=low.version, how="phone")
    low = desk.faults.resolve(low.ref, version=low.version, summary="ok")
    assert desk.faults.close(low.ref, version=low.version).status == "closed"


def test_close_needs_ended_and_signed_onsite_work(desk, fault):
    f = responded(desk, fault)
    o = desk.work.add(f.ref, version=f.version, mode="onsite", start=NOW - 30 * M)
    r = with_record(desk, desk.faults.resolve(f.ref, version=o.fault_version, summary="ok"))
    refused(
        desk,
        InvalidTransition,
        "still open: end it first",
        desk.faults.close,
        r.ref,
        version=r.version,
    )
    e = desk.work.end(o.id, version=r.version)
    refused(
        desk,
        InvalidTransition,
        "not signed off by the customer",
        desk.faults.close,
        r.ref,
        version=e.fault_version,
    )
    lax = Desk(desk.engine, desk.policy, desk.clock, "duty", require_onsite_signoff=False)
    assert lax.faults.close(r.ref, version=e.fault_version).status == "closed"


def test_close_after_sign_off(desk, fault):
    f = responded(desk, fault)
    o = desk.work.add(f.ref, version=f.version, mode="onsite", start=NOW - 30 * M)
    s = desk.work.sign_off(o.id, version=o.fault_version, customer_rep="张工")
    r = with_record(desk, desk.faults.resolve(f.ref, version=s.fault_version, summary="ok"))
    assert desk.faults.close(r.ref, version=r.version).status == "closed"


def test_reopen(desk, fault, clock):
    refused(
        desk,
        InvalidTransition,
        "not resolved or closed \\(it is new\\)",
        desk.faults.reopen,
        fault.ref,
        version=1,
        reason="r",
    )
    f = responded(desk, fault)
    r = desk.faults.resolve(f.ref, version=f.version, summary="ok")
    clock.advance(minutes=30)
    o = desk.faults.reopen(r.ref, version=r.version, reason="it came back")
    assert o.status == "in_progress" and o.resolved_at is None and o.closed_at is None
    # policy reopen = "full": a fresh 8 service hours of 7x8 from the reopen instant
    assert o.next_clock == "resolve"
    resolve = desk.reads.fault_view(o.ref).clocks.clock("resolve")
    assert resolve.started_at == NOW + 30 * M and resolve.stopped_at is None
    r = with_record(desk, desk.faults.resolve(o.ref, version=o.version, summary="ok"))
    c = desk.faults.close(r.ref, version=r.version)
    again = desk.faults.reopen(c.ref, version=c.version, reason="once more")
    assert again.status == "in_progress"


# -- roster and customers ----------------------------------------------------------------


def test_roster(desk):
    names = [e.user for e in desk.roster.all()]
    assert names[0] == "carol" and set(names) == {"duty", "alice", "bob", "carol"}
    assert desk.roster.me().user == "duty"
    refused(desk, ValidationError, "already on the roster", desk.roster.add, "alice", "A")
    refused(desk, ValidationError, "seniority 'boss'", desk.roster.add, "eve", "Eve", "boss")
    refused(desk, ValidationError, "is not an OS user name", desk.roster.add, "e ve", "Eve")
    refused(desk, ValidationError, "name is empty", desk.roster.add, "eve", "")
    e = desk.roster.update("alice", seniority="senior", phone="555")
    assert e.seniority == "senior" and e.phone == "555"
    assert desk.roster.set_on_duty("carol", True).on_duty
    with pytest.raises(UnknownEngineer):
        desk.roster.set_on_duty("ghost", True)
    verbs = [ev.verb for ev in desk.reads.events()]
    assert verbs.count("engineer_add") == 4 and verbs.count("engineer_edit") == 2


def test_first_engineer_can_add_themselves(engine, policy, clock):
    desk = Desk(engine, policy, clock, "root")
    with pytest.raises(UnknownEngineer):
        desk.roster.me()
    desk.roster.add("root", "Root", "expert")
    assert desk.roster.me().name == "Root"


def test_customers(desk):
    (c,) = desk.customers.all()
    assert c.name == "华东电网" and c.tier == "gold"
    assert [x.name for x in c.systems] == ["EMS", "SCADA"]
    assert c.contacts[0].name == "张工"
    assert c.in_warranty(NOW.date())
    refused(desk, ValidationError, "already exists", desk.customers.add, "华东电网")
    refused(desk, ValidationError, "customer name is empty", desk.customers.add, " ")
    refused(
        desk,
        ValidationError,
        "warranty end .* is before its start",
        desk.customers.add,
        "Acme",
        warranty_start=NOW.date(),
        warranty_end=NOW.date() - timedelta(days=1),
    )
    refused(
        desk,
        ValidationError,
        "lists a system twice",
        desk.customers.add,
        "Acme",
        systems=[SystemInfo("A"), SystemInfo("A")],
    )
    d = desk.customers.add_system("华东电网", SystemInfo("OMS", "Outage", "2"))
    assert [x.name for x in d.systems] == ["EMS", "OMS", "SCADA"]
    refused(
        desk,
        ValidationError,
        "already has a system 'OMS'",
        desk.customers.add_system,
        "华东电网",
        SystemInfo("OMS"),
    )
    refused(
        desk, NotFound, "no customer 'Nobody'", desk.customers.add_system, "Nobody", SystemInfo("X")
    )


# -- read models --------------------------------------------------------------------------


def test_queue_order(desk, clock):
    def log(level, hours_ago, title):
        return desk.faults.log(
            customer="华东电网",
            system="EMS",
            title=title,
            level=level,
            channel="phone",
            at=NOW - hours_ago * H,
        )

    soon = log(0, 0.5, "soon")  # respond due in 30 min
    late = log(0, 3, "late")  # respond overdue by 2 h
    later = log(0, 1.5, "later")  # overdue by 30 min
    calm = log(3, 0, "calm")  # a working day to respond
    waiting = log(0, 0.2, "waiting")
    w = responded(desk, waiting)
    w = desk.faults.pause(w.ref, version=w.version, reason="r")
    # waiting, level 0: solution clock (2h, not pausable) still runs
    queue = desk.reads.open_queue()
    titles = [q.fault.title for q in queue]
    assert titles[:3] == ["late", "later", "soon"]
    assert titles.index("calm") > titles.index("soon")
    assert [q.breached for q in queue[:3]] == [True, True, False]
    assert queue[0].band.value == "breached" and queue[0].left(NOW) == -2 * 3600
    paused_only = log(3, 0, "paused only")
    p = responded(desk, paused_only)
    p = desk.faults.propose(p.ref, version=p.version, text="t")
    p = desk.faults.pause(p.ref, version=p.version, reason="r")
    assert p.next_breach is None
    assert desk.reads.open_queue()[-1].fault.title == "paused only"  # no running clock: last
    assert all(q.fault.status != "resolved" for q in desk.reads.open_queue())
    assert {soon.ref, late.ref, later.ref, calm.ref} <= {q.fault.ref for q in queue}


def test_fault_list_and_view(desk, fault):
    f = responded(desk, fault)
    r = with_record(desk, desk.faults.resolve(f.ref, version=f.version, summary="ok"))
    other = desk.faults.log(
        customer="华东电网", system="SCADA", title="2nd", level=2, channel="electronic"
    )
    assert [x.ref for x in desk.reads.faults()] == [other.ref, r.ref]
    c = desk.faults.close(r.ref, version=r.version)
    assert [x.ref for x in desk.reads.faults()] == [other.ref]
    assert [x.ref for x in desk.reads.faults(include_closed=True)] == [other.ref, c.ref]
    assert [x.ref for x in desk.reads.faults(status="closed")] == [c.ref]
    assert desk.reads.faults(customer="nobody") == []
    assert len(desk.reads.faults(include_closed=True, limit=1)) == 1
    view = desk.reads.fault_view(c.ref.lower())  # refs are case-insensitive
    assert view.fault == desk.reads.fault(c.ref)
    assert view.system_product == "D5000" and view.system_model == "v3.2"
    assert [e.verb for e in view.events] == ["close", "record", "resolve", "respond", "log"]
    assert view.now == NOW


def test_last_change_moves_with_every_write(desk, fault):
    first = desk.reads.last_change()
    assert first > 0
    desk.faults.respond(fault.ref, version=1, how="phone")
    assert desk.reads.last_change() == first + 1


def test_batch_is_one_transaction(desk, fault):
    before = count_events(desk)
    with pytest.raises(RuntimeError), desk.batch():
        f = desk.faults.respond(fault.ref, version=1, how="phone")
        assert desk.reads.fault(fault.ref).version == 2  # reads inside see the batch
        with pytest.raises(InvalidTransition):  # a refused verb inside: only it is undone
            desk.faults.respond(f.ref, version=2, how="phone")
        desk.as_user("alice").faults.assign(f.ref, "alice", version=2)
        raise RuntimeError("abandon the batch")
    assert count_events(desk) == before and desk.reads.fault(fault.ref).version == 1
    with desk.batch():
        f = desk.faults.respond(fault.ref, version=1, how="phone")
        desk.customers.add("Acme", systems=[SystemInfo("ERP")])
        desk.faults.log(customer="Acme", system="ERP", title="t", level=3, channel="phone")
    assert count_events(desk) == before + 3
