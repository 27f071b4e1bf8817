"""Alerts on PostgreSQL: the once-only INSERT and the notify claim with two schedulers.

Uses ``pg_head_db`` of ``tests/pgcluster.py`` (skipped without PostgreSQL).
"""

# ruff: noqa: F811  (the fixtures are imported)

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from alerts_support import (  # noqa: F401
    alert_rows,
    hook_settings,
    sending,
    services,
    wait_until,
)
from conftest import NOW
from desk_support import log_fault, one_customer_desk

from oncall.clock import FixedClock
from oncall.desk import Desk


async def test_two_schedulers_on_postgres_fire_and_send_each_alert_once(
    pg_engines, policy, services, tmp_path
):
    clock = FixedClock(NOW)
    one_desk = one_customer_desk(pg_engines[0], policy, clock, duty_name="Duty")
    # Every alert is raised by both schedulers at the same tick and each tries to
    # claim its notification, so each alert is a contest of its own: a second INSERT
    # or a second claim shows in every one of them. Three faults (levels 0, 1, 0)
    # give 15 alerts, several due at one tick; each sent alert costs a supervisor
    # process (~0.4 s of CPU), which is why there are not more.
    faults = 3
    for i in range(faults):
        log_fault(
            one_desk, title=f"fault {i}", level=i % 2, at=clock.now() - timedelta(minutes=7 * i)
        )
    two_desk = Desk(pg_engines[1], policy, clock, "alice")
    command = f'cat > "{tmp_path}/$$.json"'
    one = services(one_desk, settings=hook_settings(command))
    two = services(two_desk, settings=hook_settings(command))
    await asyncio.gather(one.service.start(), two.service.start())
    for _ in range(20):
        clock.advance(minutes=7)
        await asyncio.gather(one.service.sync(), two.service.sync())
        # Each delivery done before the clock jumps past its lease: a supervisor
        # still at work then would rightly be taken for dead (delivery unknown).
        await asyncio.gather(*one.service._tasks, *two.service._tasks)
    rows = alert_rows(pg_engines[0])
    keys = [(r.fault_id, r.clock, r.threshold, r.deadline) for r in rows]
    assert len(rows) > faults and len(keys) == len(set(keys))
    assert sorted(a.id for a in one.shown) == sorted(r.id for r in rows)
    assert sorted(a.id for a in two.shown) == sorted(r.id for r in rows)
    await wait_until(lambda: all(r.notify_state == "sent" for r in alert_rows(pg_engines[0])))
    await wait_until(lambda: not sending(one, two))  # both tried to send each: done
    sent = [json.loads(f.read_text())["alert"] for f in tmp_path.glob("*.json")]
    assert sorted(sent) == sorted(r.id for r in rows)


async def test_two_consoles_catching_up_on_postgres_fire_each_alert_once(
    pg_engines, policy, services
):
    """A night's backlog on PostgreSQL, two consoles starting together, two alerts per
    transaction: the batch INSERTs skip what the other committed (ON CONFLICT)."""
    clock = FixedClock(NOW)
    one_desk = one_customer_desk(pg_engines[0], policy, clock, duty_name="Duty")
    for i in range(6):
        log_fault(one_desk, title=f"fault {i}", level=1, at=clock.now())
    clock.advance(hours=12)
    two_desk = Desk(pg_engines[1], policy, clock, "alice")
    one, two = services(one_desk, batch=2), services(two_desk, batch=2)
    await asyncio.gather(one.service.start(), two.service.start())
    rows = alert_rows(pg_engines[0])
    keys = [(r.fault_id, r.clock, r.threshold, r.deadline) for r in rows]
    assert len(rows) >= 6 and len(keys) == len(set(keys))
    clocks = [(r.fault_id, r.clock) for r in rows]
    assert len(clocks) == len(set(clocks))  # the highest due threshold of each clock only
    assert {r.fired_by for r in rows} <= {one.service.name, two.service.name}
    # each fired in batches of two (the one that read last may have found none due)
    assert sum(one.service.last_burst) == len(rows) or sum(two.service.last_burst) == len(rows)
    await asyncio.gather(one.service.sync(), two.service.sync())  # what the other fired
    # Each console shows what it fired, never an alert twice, and every alert shows
    # somewhere. What the other fired shows too, unless it was fired before this
    # console's first read (then it is in the list, not toasted again): whether it
    # was depends on which start read first, so it is not asserted here.
    fired_by = {r.id: r.fired_by for r in rows}
    for rec in (one, two):
        shown = [a.id for a in rec.shown]
        assert len(shown) == len(set(shown))
        assert {i for i, by in fired_by.items() if by == rec.service.name} <= set(shown)
    assert {a.id for a in one.shown} | {a.id for a in two.shown} == set(fired_by)
