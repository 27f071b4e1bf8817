"""A catch-up of many alerts (a night away, an outage): fired in batches of one
transaction each, once each across two consoles, one summary toast, the notify
command once per alert (or once per batch with ``notify_batch``); and the bench's
aged copy of a database (every stored time moved back, nothing else).

Nothing here measures time: batches are counted, not timed.
"""

# ruff: noqa: F811  (the fixtures are imported from alerts_support)

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import datetime, timedelta

import pytest
from alerts_support import (  # noqa: F401  (fixtures)
    BREACH,
    alert_rows,
    hook_settings,
    notify_states,
    other_desk,
    sending,
    services,
    started,
    wait_until,
)
from catchup_support import bench_module, breached_faults
from tui_support import make_app

from oncall.alerts import AlertSettings
from oncall.config import Config
from oncall.tui.alerts_bridge import attach_alerts

H = timedelta(hours=1)


@pytest.fixture(autouse=True)
def _no_hook_from_the_environment(monkeypatch):
    monkeypatch.delenv("ONCALL_NOTIFY_COMMAND", raising=False)


async def test_a_catch_up_fires_each_due_alert_once_in_batches(desk, clock, services):
    refs = breached_faults(desk, clock, 7)
    rec = services(desk, batch=3)
    await rec.service.start()
    assert rec.service.last_burst == (3, 3, 1)  # three transactions, not seven
    assert sorted(a.ref for a in rec.shown) == sorted(refs)
    assert {(a.clock, a.threshold) for a in rec.shown} == {("respond", "breach")}
    for alert in rec.shown:  # the highest due threshold only, late by the hour it waited
        assert alert.planned_at == BREACH and alert.late_seconds == 3600
    rows = alert_rows(desk.engine)
    assert len(rows) == 7 and sorted(r.id for r in rows) == sorted(a.id for a in rec.shown)
    assert rec.counts[-1] == 7
    again = services(desk, batch=3)  # a restart fires nothing twice
    await again.service.start()
    await again.service.sync()
    assert again.shown == [] and again.service.last_burst == ()
    assert len(alert_rows(desk.engine)) == 7


async def test_two_consoles_catching_up_at_once_fire_each_alert_once(
    desk, clock, services, other_desk
):
    breached_faults(desk, clock, 9)
    one, two = services(desk, batch=2), services(other_desk, batch=2)
    await asyncio.gather(one.service.start(), two.service.start())
    rows = alert_rows(desk.engine)
    assert len(rows) == 9  # the unique key: each INSERT of a batch skipped what the other stored
    assert len({(r.fault_id, r.clock, r.threshold, r.deadline) for r in rows}) == 9
    fired_by = {r.fired_by for r in rows}
    assert fired_by <= {one.service.name, two.service.name}
    # the first to read found all nine due (the other may have read after some fired)
    assert 9 in (sum(one.service.last_burst), sum(two.service.last_burst))
    await asyncio.gather(one.service.sync(), two.service.sync())  # what the other fired
    # both show all nine (the ones the other stored are read back or polled), each once
    assert sorted(a.id for a in one.shown) == sorted(a.id for a in two.shown)
    assert sorted(a.id for a in one.shown) == sorted(r.id for r in rows)


async def test_a_catch_up_in_many_batches_is_one_summary_toast(desk, clock):
    breached_faults(desk, clock, 7)
    app = make_app(desk, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        toasts: list[dict] = []
        waits: list = []  # the toaster's waits for more of a burst
        real_set_timer = app.set_timer

        def set_timer(delay, callback=None, **kw):
            if getattr(callback, "__name__", "") == "flush":
                waits.append(delay)
            return real_set_timer(delay, callback, **kw)

        app.notify = lambda message, **kw: toasts.append({"message": message, **kw})
        app.set_timer = set_timer
        service = attach_alerts(app, desk, None, clock, poll_every=3600)
        service.batch = 2  # before it starts: four batches
        await started(pilot, service)
        assert service.last_burst == (2, 2, 2, 1)
        # the summary comes as the last batch is in, not after a wait of its own
        assert waits == []
        (toast,) = toasts
        assert toast["title"] == "Alerts" and toast["severity"] == "error"
        assert toast["message"].startswith("7 alerts (7 Breach).")
        assert app.unacked_alerts == 7


async def test_the_notify_command_gets_each_alert_of_a_catch_up_once(
    desk, clock, services, tmp_path
):
    breached_faults(desk, clock, 5)
    rec = services(desk, batch=2, settings=hook_settings(f'cat > "{tmp_path}/$$.json"'))
    await rec.service.start()
    await wait_until(lambda: [s for s, _ in notify_states(desk.engine)] == ["sent"] * 5)
    await wait_until(lambda: not sending(rec))
    sent = [json.loads(f.read_text()) for f in tmp_path.glob("*.json")]
    assert all(isinstance(s, dict) for s in sent)  # one object per run
    assert sorted(s["alert"] for s in sent) == [r.id for r in alert_rows(desk.engine)]


async def test_notify_batch_sends_one_json_array_per_batch(
    desk, clock, services, other_desk, tmp_path
):
    breached_faults(desk, clock, 5)
    settings = hook_settings(f'cat > "{tmp_path}/$$.json"', notify_batch=True)
    one = services(desk, batch=2, settings=settings)
    await one.service.start()
    await wait_until(lambda: [s for s, _ in notify_states(desk.engine)] == ["sent"] * 5)
    # a second console with the same command finds every alert sent: nothing again
    two = services(other_desk, batch=2, settings=settings)
    await two.service.start()
    await two.service.sync()
    await wait_until(lambda: not sending(one, two))
    runs = [json.loads(f.read_text()) for f in tmp_path.glob("*.json")]
    assert sorted(len(r) for r in runs) == [1, 2, 2]  # the batches: 2, 2 and 1
    assert all(isinstance(r, list) for r in runs)
    ids = sorted(a["alert"] for run in runs for a in run)
    assert ids == [r.id for r in alert_rows(desk.engine)]  # each alert in one run, once
    assert {a["threshold"] for run in runs for a in run} == {"breach"}


def test_notify_batch_comes_from_the_config():
    on = AlertSettings.from_config(Config(None, {"notify_batch": True}), env={})
    assert on.notify_batch is True
    assert AlertSettings.from_config(None, env={}).notify_batch is False


def test_notify_batch_is_a_known_config_key(tmp_path):
    from oncall.config import load_config

    path = tmp_path / "config.toml"
    path.write_text('notify_command = "page"\nnotify_batch = true\n')
    assert load_config(path, env={}).get("notify_batch") is True


# -- the bench's aged copy ---------------------------------------------------------------


def _rows(path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    finally:
        con.close()


def _columns(path, table) -> list[tuple[str, str]]:
    con = sqlite3.connect(path)
    try:
        return [(r[1], r[2]) for r in con.execute(f'PRAGMA table_info("{table}")')]
    finally:
        con.close()


async def test_the_aged_copy_moves_every_stored_time_back_and_nothing_else(
    desk, clock, fault, services, tmp_path
):
    desk.work.add(fault.ref, version=None, mode="phone", start=clock.now() - H, end=clock.now())
    clock.set(BREACH)
    rec = services(desk)
    await rec.service.start()  # an alert row too
    await rec.service.stop()
    src = desk.engine.url.database
    dst = tmp_path / "aged.sqlite3"
    aged_db = bench_module("aged_db")
    aged_db.age_copy(src, dst, 6)
    before, after = _rows(src), _rows(dst)
    assert before.keys() == after.keys()
    moved = 0
    for table in before:
        cols = _columns(src, table)
        assert len(before[table]) == len(after[table])
        for old, new in zip(before[table], after[table], strict=True):
            for (name, kind), a, b in zip(cols, old, new, strict=True):
                if kind == "DATETIME" and a is not None:
                    assert datetime.fromisoformat(a) - datetime.fromisoformat(b) == 6 * H, name
                    assert b[19:] == a[19:]  # the fraction as stored
                    moved += 1
                elif table == "audit_event" and name == "data":
                    assert _instants_moved(json.loads(a), json.loads(b))
                else:
                    assert a == b, (table, name)
    assert moved > 10
    work = [json.loads(r[-3]) for r in after["audit_event"] if r[5] == "work_add"]
    assert work and work[0]["start"] == (clock.now() - H - 7 * H).isoformat()
    # still append-only: the triggers are back
    con = sqlite3.connect(dst)
    with pytest.raises(sqlite3.DatabaseError):
        con.execute("UPDATE audit_event SET verb = 'x'")
    con.close()


def _instants_moved(old: dict, new: dict) -> bool:
    """Same keys; the ISO instants (``start``, ``end``) six hours earlier, the rest as is."""
    if old.keys() != new.keys():
        return False
    for key, value in old.items():
        if key in ("start", "end") and value is not None:
            if datetime.fromisoformat(value) - datetime.fromisoformat(new[key]) != 6 * H:
                return False
        elif isinstance(value, dict):
            if not _instants_moved(value, new[key]):
                return False
        elif new[key] != value:
            return False
    return True


# -- what a console reads again and again ----------------------------------------------------


def test_the_recurring_alert_reads_search_an_index_never_scan_every_alert(desk, clock):
    """The count in the header, the deliveries left ``sending``, the notifications
    nobody sent: what they cost follows what they find, not how many alerts are stored
    (SQLite's query plans: a SEARCH by an index, never a SCAN of the table)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    statements: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", capture)
    try:
        now = clock.now()
        desk.alerts.unacked_count()
        desk.alerts.news(0)
        desk.alerts.mark_unknown(now, now)
        desk.alerts.notify_backlog(now - timedelta(days=1), now)
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    raw = sqlite3.connect(desk.engine.url.database)
    try:
        checked = 0
        for statement, params in statements:
            if " alert" not in statement or not statement.lstrip().startswith(("SELECT", "UPDATE")):
                continue
            plan = [row[-1] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, params)]
            assert not [d for d in plan if d.startswith("SCAN alert")], (statement, plan)
            checked += 1
        assert checked >= 4
    finally:
        raw.close()
