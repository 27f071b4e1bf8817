"""The database going away under a running console, on SQLite and PostgreSQL: the header
says so, a save that fails keeps the form as typed and is never shown as done, and the
console recovers by itself once the database answers again.

Nothing waits on time: the console's retries count ticks, which the tests drive one by
one (``tick_now``) until the header says what they wait for.
"""

# ruff: noqa: F811  (fixtures imported from other test modules)
from __future__ import annotations

import sqlite3

import pytest
from dbdamage import damage_page
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from textual.widgets import Input
from tui_support import make_app, press_and_fill, save, settle

import oncall.store.db
from oncall.store.health import DatabaseDamaged, DatabaseUnavailable
from oncall.tui.forms.base import FormScreen

_TERMINATE = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
ROUNDS = 200  # ticks at most before giving up on what a test waits for


def header_text(main) -> str:
    return "".join(text for text, _cls in main.header._line())


async def tick_until(pilot, main, condition) -> None:
    """Tick the console (retries count ticks) until ``condition()`` holds."""
    for _ in range(ROUNDS):
        if condition():
            return
        main.tick_now()
        await settle(pilot, 1)
    assert condition(), header_text(main)


def form_error(form) -> str:
    return str(form.query_one("#form-error").render())


async def test_a_locked_sqlite_file_keeps_the_form_and_the_console_recovers(
    desk, clock, fault, db_url, monkeypatch
):
    # The busy timeout is 5 s; a short one here (new connections read it).
    monkeypatch.setattr(oncall.store.db, "BUSY_TIMEOUT_MS", 50)
    desk.engine.dispose()
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.main
        assert "unreachable" not in header_text(main)
        form = await press_and_fill(pilot, "a", engineer="bob", note="typed while locked")
        holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another process holds the file
        try:
            await save(pilot)
            assert app.screen is form  # not closed as if saved
            assert form.query_one("#f-note", Input).value == "typed while locked"
            assert form_error(form).startswith("Not saved") and "locked" in form_error(form)
            assert "database unreachable since 10:00, retrying" in header_text(main)
            # still locked: the retries fail and the header stays
            for _ in range(5):
                main.tick_now()
                await settle(pilot, 1)
            assert main.header.trouble
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert desk.reads.fault(fault.ref).assignee is None  # nothing was written
        await tick_until(pilot, main, lambda: not main.header.trouble)
        assert "unreachable" not in header_text(main)
        await save(pilot)  # the same form, as typed: saved now
        assert app.screen is main
        assert desk.reads.fault(fault.ref).assignee == "bob"


async def test_the_indicator_is_translated_and_a_damaged_database_says_what_to_do(desk, clock):
    app = make_app(desk, clock, language="zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.main
        main.health.failed(DatabaseUnavailable("x", "database is locked"))
        await pilot.pause()
        assert "数据库" in header_text(main) and "10:00" in header_text(main)
        main.health.back()
        main.health.failed(DatabaseDamaged("/srv/desk.sqlite3", "file is not a database"))
        await pilot.pause()
        assert "10:00" in header_text(main)
        banner = str(main.query_one("#banner").render())
        assert "/srv/desk.sqlite3" in banner and "backup" in banner


@pytest.fixture
def blocked(pg_desk, pg_url):  # noqa: F811
    """Block and unblock new connections to the desk's PostgreSQL database."""
    name = make_url(pg_desk.engine.url).database
    admin = create_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")

    def block(on: bool) -> None:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(not on).lower()}'))
            if on:
                conn.execute(text(_TERMINATE), {"n": name})

    yield block
    block(False)
    admin.dispose()


async def test_postgres_going_away_keeps_the_form_and_the_console_recovers(pg_desk, blocked):
    desk = pg_desk
    fault = desk.faults.log(
        customer="华东电网", system="EMS", title="EMS down", level=1, channel="phone",
        symptom="RTU data stale", contact="张工", at=desk.clock.now().replace(hour=1),
    )  # fmt: skip
    app = make_app(desk, desk.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.main
        form = await press_and_fill(pilot, "a", engineer="bob", note="typed while away")
        blocked(True)  # the server drops the console's connections and takes no new ones
        await tick_until(pilot, main, lambda: main.header.trouble)  # the poll notices
        assert "database unreachable since" in header_text(main)
        await save(pilot)
        assert app.screen is form
        assert form.query_one("#f-note", Input).value == "typed while away"
        assert form_error(form).startswith("Not saved")
        blocked(False)
        await tick_until(pilot, main, lambda: not main.header.trouble)
        assert desk.reads.fault(fault.ref).assignee is None  # the failed save wrote nothing
        await save(pilot)
        assert not isinstance(app.screen, FormScreen)
        assert desk.reads.fault(fault.ref).assignee == "bob"


async def test_a_damaged_page_the_queue_does_not_read_still_shows(desk, clock, fault, db_url):
    desk.engine.dispose()
    damage_page(db_url.removeprefix("sqlite:///"))
    app = make_app(desk, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.main
        banner = str(main.query_one("#banner").render())
        assert "damaged" in banner and "backup" in banner
        assert "database damaged since 10:00" in header_text(main)
        main.tick_now()  # not retried away: it needs a restore
        await settle(pilot)
        assert "database damaged" in header_text(main)
