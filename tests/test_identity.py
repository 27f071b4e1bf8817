"""Who acted: the real OS user (from the uid), claims, roster leads, audited acknowledgements.

The desk tests build desks as given users in-process (``Desk(..., user)``,
``desk.as_user``); the CLI tests run ``oncall`` as the real OS user of the test
run, to show that the environment cannot change who acts: in-process with the
real ``identity.real_user``, and twice in a fresh process (a claim and
LOGNAME/USER in a new process's environment, the user from its uid).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import sqlite3
import subprocess
import sys

import pytest
from alerts_support import CRITICAL, WARNING, alert_rows, services  # noqa: F401
from desk_support import events

from oncall.cli import main
from oncall.desk import ClaimRefused, Desk, NotALead, SystemInfo, UnknownEngineer, ValidationError
from oncall.store import make_engine, upgrade

ME = pwd.getpwuid(os.geteuid()).pw_name  # who runs the tests (root in CI)
NOW = "2026-11-23T16:30"


# -- leads and the roster --------------------------------------------------------------------


def test_the_first_engineer_on_an_empty_roster_is_its_lead(engine, policy, clock):
    desk = Desk(engine, policy, clock, "newbie")
    first = desk.roster.add("newbie", "New Bie", "engineer")
    assert first.lead
    second = desk.roster.add("alice", "Alice", "engineer")
    assert not second.lead
    assert [e.lead for e in desk.roster.all() if e.user == "newbie"] == [True]
    assert [e[3]["lead"] for e in events(desk, "engineer_add")] == [True, False]


def test_a_user_not_on_the_roster_cannot_add_themselves(desk):
    before = len(events(desk))
    with pytest.raises(UnknownEngineer, match="ask a roster lead"):
        desk.as_user("mallory").roster.add("mallory", "Mallory", "expert", lead=True)
    assert "mallory" not in {e.user for e in desk.roster.all()}
    assert len(events(desk)) == before


def test_roster_changes_need_a_lead(desk):
    alice = desk.as_user("alice")  # on the roster, not a lead
    before = len(events(desk))
    for change in (
        lambda: alice.roster.add("eve", "Eve", "engineer"),
        lambda: alice.roster.update("alice", seniority="expert"),
        lambda: alice.roster.set_on_duty("bob", False),
        lambda: alice.roster.set_lead("alice", True),
    ):
        with pytest.raises(NotALead, match="needs a roster lead, and 'alice' is not one"):
            change()
    assert desk.roster.get("alice").seniority == "engineer" and not desk.roster.get("alice").lead
    assert len(events(desk)) == before
    # a lead may, and it is audited
    desk.roster.set_lead("alice", True)
    assert alice.roster.update("alice", seniority="senior").seniority == "senior"
    assert events(desk, "engineer_edit")[-2:] == [
        ("duty", "duty", "engineer_edit", {"user": "alice", "before": {"lead": False},
                                            "after": {"lead": True}}),
        ("alice", "alice", "engineer_edit", {"user": "alice", "before": {"seniority": "engineer"},
                                              "after": {"seniority": "senior"}}),
    ]  # fmt: skip


def test_the_last_lead_stays(desk):
    with pytest.raises(ValidationError, match="'duty' is the roster's last lead"):
        desk.roster.set_lead("duty", False)
    desk.roster.add("erin", "Erin", "senior", lead=True)
    assert desk.roster.set_lead("duty", False).lead is False
    erin = desk.as_user("erin")
    with pytest.raises(ValidationError, match="last lead"):
        erin.roster.set_lead("erin", False)
    with pytest.raises(NotALead):
        desk.roster.set_lead("duty", True)  # duty is no lead any more


def test_the_upgrade_makes_an_existing_rosters_first_engineer_its_lead(tmp_path, policy, clock):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0002")
    with engine.begin() as conn:
        for user, created in (
            ("bob", "2026-02-01"),
            ("alice", "2026-01-01"),
            ("carol", "2026-03-01"),
        ):
            conn.exec_driver_sql(
                "INSERT INTO engineer (os_user, name, seniority, phone, on_duty, created_at) "
                f"VALUES ('{user}', '{user}', 'engineer', '', 1, '{created} 00:00:00.000000')"
            )
        conn.exec_driver_sql(
            "INSERT INTO audit_event (at, logged_at, os_user, verb, data) "
            "VALUES ('2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000', 'alice', "
            "'engineer_add', '{}')"
        )
    upgrade(engine)
    desk = Desk(engine, policy, clock, "alice")
    assert {e.user: e.lead for e in desk.roster.all()} == {
        "alice": True, "bob": False, "carol": False
    }  # fmt: skip
    assert events(desk) == [("alice", None, "engineer_add", {})]  # who really did: unknown
    desk.roster.set_lead("bob", True)  # the lead can change the roster
    engine.dispose()


# -- claims (ONCALL_USER) ----------------------------------------------------------------


def test_a_lead_may_act_for_someone_and_the_audit_keeps_both(desk, fault):
    for_alice = desk.claim("alice")  # duty, the first engineer, is a lead
    assert for_alice.claimed and for_alice.roster.me().user == "alice"
    for_alice.faults.respond(fault.ref, version=None, how="phone")
    assert events(desk)[-1][:3] == ("alice", "duty", "respond")
    assert desk.reads.fault_view(fault.ref).events[0].real_user == "duty"


def test_a_claim_by_someone_not_a_lead_is_refused(desk, fault):
    bob_as_alice = desk.as_user("bob").claim("alice")
    before = len(events(desk))
    with pytest.raises(ClaimRefused, match="OS user 'bob' cannot act as 'alice'"):
        bob_as_alice.faults.respond(fault.ref, version=None, how="phone")
    with pytest.raises(ClaimRefused):
        bob_as_alice.roster.me()
    with pytest.raises(ClaimRefused):
        bob_as_alice.check_claim()
    with pytest.raises(ClaimRefused):  # nor by someone not on the roster at all
        desk.as_user("mallory").claim("duty").faults.respond(fault.ref, version=None, how="phone")
    assert len(events(desk)) == before
    assert desk.reads.fault(fault.ref).status == "new"


def test_adding_a_system_is_an_audited_verb_of_a_roster_engineer(desk):
    from desk_support import adding_a_system_is_audited

    adding_a_system_is_audited(desk)


@pytest.mark.parametrize("batch", [False, True])
def test_a_claim_ends_when_the_lead_is_no_more(desk, fault, batch):
    with desk.batch() if batch else contextlib.nullcontext():  # a batch checks a lead once
        for_alice = desk.claim("alice")
        for_alice.faults.respond(fault.ref, version=None, how="phone")
        desk.roster.add("erin", "Erin", "senior", lead=True)
        desk.as_user("erin").roster.set_lead("duty", False)
        with pytest.raises(ClaimRefused):
            for_alice.faults.pause(fault.ref, version=None, reason="waiting for logs")
    assert desk.reads.fault(fault.ref).status == "responded"


# -- alert acknowledgements ----------------------------------------------------------------


async def test_acknowledging_is_an_audited_verb_of_a_roster_engineer(
    desk,
    clock,
    fault,
    services,  # noqa: F811
):
    service = services(desk).service
    await service.start()
    for instant in (WARNING, CRITICAL):
        clock.set(instant)
        await service.sync()
    ids = [r.id for r in alert_rows(desk.engine)]
    assert len(ids) == 2
    stranger = desk.as_user("mallory")
    with pytest.raises(UnknownEngineer):
        stranger.alerts.acknowledge(None)
    with pytest.raises(ClaimRefused):
        desk.as_user("bob").claim("alice").alerts.acknowledge(ids)
    assert all(r.acked_at is None for r in alert_rows(desk.engine))
    assert events(desk, "alert_ack") == []
    alice = desk.as_user("alice")
    assert alice.alerts.acknowledge([ids[1]]) == [ids[1]]
    assert alice.alerts.acknowledge([ids[1]]) == []  # already done: no second event
    assert desk.alerts.acknowledge(None) == [ids[0]]
    assert events(desk, "alert_ack") == [
        ("alice", "alice", "alert_ack", {"alerts": [ids[1]]}),
        ("duty", "duty", "alert_ack", {"alerts": [ids[0]]}),
    ]
    rows = {r.id: r for r in alert_rows(desk.engine)}
    assert rows[ids[1]].acked_by == "alice" and rows[ids[0]].acked_by == "duty"
    assert rows[ids[0]].acked_at == CRITICAL


# -- the command line: the environment cannot say who you are ------------------------------


@pytest.fixture
def desk_file(tmp_path, policy, clock):
    """An SQLite desk file: roster duty (lead) and liwei, one customer; no OS user of ours."""
    path = tmp_path / "desk.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    desk = Desk(engine, policy, clock, "duty")
    desk.roster.add("duty", "Duty", "senior")
    desk.roster.add("liwei", "Li Wei", "engineer")
    desk.customers.add("华东电网", systems=[SystemInfo("EMS")])
    yield path, desk
    engine.dispose()


def _environment(path, env: dict[str, str]) -> dict[str, str]:
    """The test run's environment without its ONCALL_ settings, plus this desk's and ``env``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("ONCALL_")}
    config = path.parent / "config.toml"
    config.write_text("")
    base.update(ONCALL_CONFIG=str(config), ONCALL_NOW=NOW, XDG_DATA_HOME=str(path.parent))
    base.update(env)
    return base


def oncall_process(path, *argv: str, **env: str) -> subprocess.CompletedProcess:
    """``oncall`` in a fresh process, as the real OS user of the test run."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from oncall.cli import main; sys.exit(main())",
         "--db", str(path), *argv],
        env=_environment(path, env), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def oncall(monkeypatch, capsys):
    """``oncall`` in-process, with the same environment as ``oncall_process`` and the
    real ``identity.real_user`` (not replaced): the OS user of the test run, from its uid.
    A fresh process costs ~0.9 s of CPU; the two tests that are about the environment
    of a real process run one (``oncall_process``)."""

    def run(path, *argv: str, **env: str) -> subprocess.CompletedProcess:
        with monkeypatch.context() as mp:
            for name in list(os.environ):
                if name.startswith("ONCALL_"):
                    mp.delenv(name)
            for name, value in _environment(path, env).items():
                mp.setenv(name, value)
            capsys.readouterr()
            code = main(["--db", str(path), *argv])
            out, err = capsys.readouterr()
        return subprocess.CompletedProcess(argv, code, out, err)

    return run


def last_event(path) -> tuple:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT os_user, real_user, verb, db_user FROM audit_event ORDER BY id DESC LIMIT 1"
        ).fetchone()


NEW_FAULT = ("fault", "new", "--customer", "华东电网", "--system", "EMS", "--level", "2",
             "--channel", "phone", "--title", "t")  # fmt: skip
LIWEI = {"ONCALL_USER": "liwei", "LOGNAME": "liwei", "USER": "liwei"}


def refused(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1, done.stderr
    return done.stderr


def test_the_environment_cannot_change_who_acts(desk_file, oncall):
    path, desk = desk_file
    before = last_event(path)
    # not on the roster: neither a claim nor LOGNAME/USER make the real user liwei
    # (a fresh process with all three in its environment)
    err = refused(oncall_process(path, *NEW_FAULT, **LIWEI))
    assert f"OS user {ME!r} cannot act as 'liwei'" in err
    err = refused(oncall(path, *NEW_FAULT, LOGNAME="liwei", USER="liwei"))
    assert f"{ME!r} is not on the engineers' roster" in err
    # nor can the real user put themselves on a roster that has a lead
    refused(oncall(path, "engineer", "add", ME, "--name", "Me", "--seniority", "expert"))
    assert last_event(path) == before
    # on the roster, not a lead: acts as themselves whatever LOGNAME and USER say ...
    desk.roster.add(ME, "Me", "engineer")
    done = oncall_process(path, *NEW_FAULT, LOGNAME="liwei", USER="liwei")
    assert done.returncode == 0, done.stderr
    assert last_event(path) == (ME, ME, "log", None)
    # ... and may not claim to be liwei, even for a read
    assert "cannot act as 'liwei'" in refused(oncall(path, "fault", "list", **LIWEI))
    assert last_event(path)[:3] == (ME, ME, "log")


def test_a_leads_claim_acts_for_the_engineer_and_records_both(desk_file, oncall):
    path, desk = desk_file
    desk.roster.add(ME, "Me", "senior", lead=True)
    done = oncall(path, *NEW_FAULT, **LIWEI)
    assert done.returncode == 0, done.stderr
    assert last_event(path) == ("liwei", ME, "log", None)
    shown = oncall(path, "fault", "show", "F-2026-00001")
    assert f"liwei (by {ME})" in shown.stdout


def test_roster_commands_for_leads(desk_file, oncall):
    path, desk = desk_file
    desk.roster.add(ME, "Me", "engineer")
    err = refused(oncall(path, "engineer", "lead", ME, "on"))
    assert "needs a roster lead" in err
    desk.roster.set_lead(ME, True)
    done = oncall(path, "engineer", "add", "zhao", "--name", "Zhao", "--seniority", "expert",
                  "--lead")  # fmt: skip
    assert done.returncode == 0 and "a lead" in done.stdout, done.stderr
    done = oncall(path, "engineer", "seniority", "liwei", "senior")
    assert done.returncode == 0 and "liwei is now senior" in done.stdout, done.stderr
    assert last_event(path)[:3] == (ME, ME, "engineer_edit")
    listed = oncall(path, "engineer", "list").stdout
    assert [line.split()[-1] for line in listed.splitlines() if line.startswith("zhao")] == ["lead"]
    for user in ("duty", "zhao"):
        assert oncall(path, "engineer", "lead", user, "off").returncode == 0
    assert "last lead" in refused(oncall(path, "engineer", "lead", ME, "off"))


# -- the console -------------------------------------------------------------------------------


async def test_the_console_is_read_only_when_the_claim_is_refused(desk, clock, fault):
    from tui_support import make_app, settle

    app = make_app(desk.as_user("bob").claim("alice"), clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        banner = str(app.main.query_one("#banner").render())
        assert "Read-only: bob is not a roster lead, so cannot act as alice" in banner
        assert "(read-only)" in app.main.header.plain()
        await pilot.press("r")
        await settle(pilot)
        assert app.screen is app.main and desk.reads.fault(fault.ref).status == "new"


async def test_the_alerts_screen_cannot_acknowledge_when_read_only(
    desk,
    clock,
    fault,
    services,  # noqa: F811
):
    from tui_support import make_app, settle

    from oncall.tui.alerts_screen import AlertsScreen

    stranger = desk.as_user("mallory")
    service = services(stranger).service
    app = make_app(stranger, clock)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await service.start()
        clock.set(WARNING)
        await service.sync()
        screen = AlertsScreen(service)
        app.push_screen(screen)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.table.row_count == 1
        note = str(screen.query_one("#alerts-note").render())
        assert "Read-only: only a roster engineer can acknowledge alerts." in note
        assert screen.check_action("acknowledge", ()) is None  # the keys are off
        assert screen.check_action("acknowledge_all", ()) is None
        for key in ("a", "A"):
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert [r.acked_at for r in alert_rows(desk.engine)] == [None]
        assert events(desk, "alert_ack") == []


def test_schema_0003_downgrades_and_upgrades_again(tmp_path):
    from alembic import command
    from sqlalchemy import inspect

    from oncall.store import db as store_db

    engine = make_engine(f"sqlite:///{tmp_path / 'down.sqlite3'}")
    upgrade(engine)
    with engine.begin() as conn:
        command.downgrade(store_db._alembic_config(conn), "0002")
    assert "lead" not in {c["name"] for c in inspect(engine).get_columns("engineer")}
    upgrade(engine)
    assert {"real_user", "db_user"} <= {
        c["name"] for c in inspect(engine).get_columns("audit_event")
    }
    engine.dispose()
