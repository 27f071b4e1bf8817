"""Schema 0006 (customer requirements and usage notes, faults out of warranty): an
upgrade from 0005 keeps the data there is, on SQLite and PostgreSQL; the archive's
writes (edit, intake out of warranty) on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from oncall.clock import FixedClock
from oncall.desk import Desk, SystemInfo
from oncall.store import make_engine, upgrade

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
ROWS = [  # no explicit ids: PostgreSQL's sequences stay right for the desk's own inserts
    "INSERT INTO engineer (os_user, name, seniority, phone, on_duty, lead, created_at) "
    "VALUES ('duty', 'Duty', 'engineer', '', true, true, '2026-03-01 00:00:00')",
    "INSERT INTO customer (name, tier, warranty_end, created_at) "
    "VALUES ('华东电网', 'gold', '2025-12-31', '2026-03-01 00:00:00')",
    "INSERT INTO system (customer_id, name, product, model) SELECT id, 'EMS', '', '' FROM customer",
    "INSERT INTO fault_counter (year, last) VALUES (2026, 1)",
    "INSERT INTO fault (ref, year, seq, customer_id, system_id, title, symptom, level, "
    "channel, contact, reported_at, reported_by, status, version) SELECT 'F-2026-00001', "
    "2026, 1, c.id, s.id, 'old', '', 2, 'phone', '', '2026-03-01 00:00:00', 'duty', 'new', 1 "
    "FROM customer c JOIN system s ON s.customer_id = c.id",
    "INSERT INTO audit_event (fault_id, at, logged_at, os_user, verb, data) SELECT id, "
    "'2026-03-01 00:00:00', '2026-03-01 00:00:00', 'duty', 'log', "
    '\'{"customer": "华东电网", "system": "EMS", "title": "old", '
    '"level": 2, "channel": "phone"}\' FROM fault',
]


@pytest.fixture(params=["sqlite", "postgresql"])
def url_at_0005(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    return request.getfixturevalue("pg_db")


def test_upgrade_keeps_the_data_and_the_desk_writes_on_it(url_at_0005, policy):
    engine = make_engine(url_at_0005)
    try:
        assert upgrade(engine, "0005") == "0005"
        with engine.begin() as conn:
            for row in ROWS:
                conn.execute(text(row))
        upgrade(engine)
        with engine.connect() as conn:
            got = conn.execute(
                text("SELECT name, tier, requirements, usage_notes FROM customer")
            ).one()
            assert tuple(got) == ("华东电网", "gold", "", "")
            old = conn.execute(text("SELECT title, out_of_warranty FROM fault")).one()
            assert (old[0], bool(old[1])) == ("old", False)  # not checked before: unmarked
        desk = Desk(engine, policy, FixedClock(NOW), "duty")
        info = desk.customers.edit("华东电网", usage_notes="调度", warranty_start=date(2024, 1, 1))
        assert info.usage_notes == "调度" and info.requirements == ""
        new = desk.faults.log(
            customer="华东电网", system="EMS", title="n", level=3, channel="phone"
        )
        assert desk.reads.fault_view(new.ref).out_of_warranty
        assert [f.out_of_warranty for f in desk.customers.archive("华东电网").faults] == [
            True,
            False,
        ]
        desk.customers.add_system("华东电网", SystemInfo("OMS"))
    finally:
        engine.dispose()
