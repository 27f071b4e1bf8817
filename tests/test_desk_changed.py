"""``Desk.changed``: a verb's result with the view of the fault it changed, built in the
verb's own transaction, is the view a read after it would give (and costs one
evaluation of the clocks, the verb's own)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from verbs_support import Evaluations

from oncall.desk import CustomerInfo, FaultSummary, InvalidTransition, SystemInfo, WorkEntry


def test_a_fault_verbs_view_is_the_view_read_after_it(desk, fault, monkeypatch):
    evaluations = Evaluations(monkeypatch)
    changed = desk.changed(
        lambda d: d.faults.respond(fault.ref, version=fault.version, how="phone", note="n")
    )
    assert evaluations.count == 1  # the verb's; no second one for its view
    assert isinstance(changed.result, FaultSummary) and changed.result.status == "responded"
    assert changed.view is not None
    assert changed.view == desk.reads.fault_view(fault.ref)
    assert changed.view.events[0].verb == "respond" and changed.view.events[0].data["note"] == "n"


def test_a_work_entrys_view_is_its_faults(desk, fault, clock):
    responded = desk.faults.respond(fault.ref, version=fault.version, how="phone")
    changed = desk.changed(
        lambda d: d.work.add(
            fault.ref,
            version=responded.version,
            mode="onsite",
            start=clock.now() - timedelta(minutes=5),
            done="swapped a card",
        )
    )
    assert isinstance(changed.result, WorkEntry)
    assert changed.view == desk.reads.fault_view(fault.ref)
    assert [w.done for w in changed.view.work] == ["swapped a card"]


def test_a_logged_faults_view_and_a_verb_that_changes_no_fault(desk, clock):
    changed = desk.changed(
        lambda d: d.faults.log(
            customer=fault_customer(desk), system="EMS", title="t", level=2, channel="phone"
        )
    )
    assert changed.view == desk.reads.fault_view(changed.result.ref)
    added = desk.changed(
        lambda d: d.customers.add_system(fault_customer(desk), SystemInfo("DMS", "p", "m"))
    )
    assert isinstance(added.result, CustomerInfo) and added.view is None


def test_a_refused_verb_leaves_no_view_behind(desk, fault):
    with pytest.raises(InvalidTransition):
        desk.changed(lambda d: d.faults.resolve(fault.ref, version=fault.version, summary="x"))
    # And a verb outside ``changed`` builds no view (``seeing`` is over).
    assert desk._tx.seen() is None


def fault_customer(desk) -> str:
    return desk.customers.all()[0].name
