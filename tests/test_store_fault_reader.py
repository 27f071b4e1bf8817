"""The one reader of faults with their events (``oncall.store.fault_reader``): the same
text gives the same rows through stdlib ``sqlite3`` and through SQLAlchemy, and the
desk's read models, the quick read and the alert records all fold it the same way."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest

from oncall.desk import OPEN_STATUSES
from oncall.desk import history as h
from oncall.desk import queue as q
from oncall.desk.reads import read_events, read_faults
from oncall.sla import evaluate
from oncall.store import fault_reader as reader


def test_code_words_only_are_written_into_the_text():
    assert reader.one_of("f.status", ("new", "in_progress")) == "f.status IN ('new', 'in_progress')"
    with pytest.raises(ValueError, match="not a code word"):
        reader.one_of("verb", ("respond", "x') OR 1=1 --"))


def test_the_text_names_what_it_reads():
    assert "f.status IN ('new', 'responded', 'in_progress', 'waiting')" in q.OPEN_FAULTS_SQL
    assert ":ids" not in q.OPEN_FAULTS_SQL and "f.id IN :ids" in q.FAULTS_BY_ID_SQL
    assert "fault_id IN (SELECT id FROM fault WHERE status IN" in q.OPEN_EVENTS_SQL
    assert "fault_id IN :ids" in q.EVENTS_BY_ID_SQL
    for verb in h.HISTORY_VERBS:
        assert repr(verb) in q.OPEN_EVENTS_SQL


def test_instants_decode_as_the_desk_reads_them():
    assert reader.decode_instant(None) is None
    naive = reader.decode_instant("2026-03-10 02:00:00.000000")
    assert naive == datetime(2026, 3, 10, 2, 0, tzinfo=UTC) and naive.tzinfo is UTC
    shanghai = datetime(2026, 3, 10, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    assert (
        reader.decode_instant(shanghai) == naive and reader.decode_instant(shanghai).tzinfo is UTC
    )


def test_events_fold_per_fault_decoding_only_the_data_the_clocks_read():
    at = "2026-03-10 02:00:00"
    rows = [
        (1, h.LOG, at, json.dumps({"level": 1, "channel": "phone"})),
        (2, h.LOG, at, json.dumps({"level": 2})),  # not asked for: skipped
        (1, h.RESPOND, at, json.dumps({"how": "phone"})),  # not a data verb: None
    ]
    out = reader.group_events(rows, [1, 3], h.DATA_VERBS, reader.decode_instant)
    when = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    assert out == {
        1: [(h.LOG, when, {"level": 1, "channel": "phone"}), (h.RESPOND, when, None)],
        3: [],
    }


def test_sqlite3_and_sqlalchemy_read_the_same_rows(demo_desk):
    path = demo_desk.engine.url.database
    con = sqlite3.connect(path)
    try:
        plain = [reader.decode_fault_row(r) for r in con.execute(q.OPEN_FAULTS_SQL)]
        ids = [r[0] for r in plain]
        plain_events = q.group_events(con.execute(q.OPEN_EVENTS_SQL), ids, reader.decode_instant)
    finally:
        con.close()
    with demo_desk.engine.connect() as conn:
        rows = read_faults(conn)
        events = read_events(conn, ids)
        all_open = read_events(conn, ids, all_open=True)
    assert len(plain) == 40 and [list(r) for r in rows] == plain
    assert events == plain_events == all_open
    assert {r.status for r in rows} <= set(OPEN_STATUSES)


def test_the_alert_records_and_the_queue_read_the_same_faults(demo_desk):
    queue = demo_desk.reads.open_queue()
    states = demo_desk.alerts.open_faults()
    assert sorted(s.info.ref for s in states) == sorted(i.fault.ref for i in queue)
    now = queue[0].now
    by_ref = {i.fault.ref: i for i in queue}
    for state in states:
        item = by_ref[state.info.ref]
        assert (state.info.title, state.info.level, state.info.status) == (
            item.fault.title,
            item.fault.level,
            item.fault.status,
        )
        assert (state.info.customer, state.info.system) == (item.fault.customer, item.fault.system)
        assert evaluate(demo_desk.policy, state.history, now, True) == item.clocks
    # By id: open only unless asked; any status for withdrawals.
    closed = demo_desk.reads.faults(status="closed", limit=1)[0]
    with demo_desk.engine.connect() as conn:
        (row,) = conn.exec_driver_sql("SELECT id FROM fault WHERE ref = ?", (closed.ref,)).all()
    assert demo_desk.alerts.open_faults([row[0]]) == []
    assert [s.info.ref for s in demo_desk.alerts.faults([row[0]])] == [closed.ref]
    assert demo_desk.alerts.open_faults([]) == []
