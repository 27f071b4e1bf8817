"""``oncall sla``: deadlines and service-time arithmetic from the shell."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from oncall.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_due_json_gives_every_deadline_with_offsets(capsys):
    code, out, err = run(
        capsys,
        "sla",
        "due",
        "--level",
        "2",
        "--channel",
        "electronic",
        "--reported-at",
        "2026-09-30T16:30",
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    # 30 min on Sep 30, National Day Oct 1-7 off, 7.5 h on Thu Oct 8.
    assert data["respond_by"] == "2026-10-08T16:30:00+08:00"
    # 24 service hours: Sep 30 0.5 h, Oct 8 8 h, Oct 9 8 h, make-up Saturday Oct 10 7.5 h.
    assert data["resolve_by"] == "2026-10-10T16:30:00+08:00"
    assert data["solution_by"] == "2026-10-01T16:30:00+08:00"
    assert {c["clock"] for c in data["clocks"]} == {"respond", "resolve", "solution"}


def test_due_takes_an_offset_and_prints_in_the_desk_zone(capsys):
    code, out, _ = run(
        capsys,
        "sla",
        "due",
        "--level",
        "0",
        "--channel",
        "phone",
        "--reported-at",
        "2026-11-20T23:00:00Z",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["reported_at"] == "2026-11-21T07:00:00+08:00"
    assert data["respond_by"] == "2026-11-21T08:00:00+08:00"
    assert data["resolve_by"] == "2026-11-21T11:00:00+08:00"
    assert data["onsite_arrival_by"] == "2026-11-22T07:00:00+08:00"


def test_due_table_is_readable(capsys):
    code, out, _ = run(
        capsys,
        "sla",
        "due",
        "--level",
        "1",
        "--channel",
        "phone",
        "--reported-at",
        "2026-11-20T16:30",
    )
    assert code == 0
    assert "respond" in out and "resolve" in out
    # 7x8 every day: 30 min on Friday, 1.5 h on Saturday morning.
    assert "2026-11-21 10:30" in out


def test_add_and_between(capsys):
    # 16 service hours after Friday 15:00 on 5x8: 2 h Fri, 8 h Mon, 6 h Tue.
    code, out, _ = run(
        capsys,
        "sla",
        "add",
        "--window",
        "5x8",
        "--from",
        "2026-11-27T15:00",
        "--seconds",
        "57600",
        "--json",
    )
    assert code == 0
    assert json.loads(out) == {"due": "2026-12-01T15:00:00+08:00"}
    code, out, _ = run(
        capsys,
        "sla",
        "between",
        "--window",
        "5x8",
        "--from",
        "2026-11-27T15:00",
        "--to",
        "2026-12-01T15:00",
        "--json",
    )
    assert code == 0
    assert json.loads(out) == {"seconds": 57600}


def test_policy_table(capsys):
    code, out, _ = run(capsys, "sla", "policy")
    assert code == 0
    for word in ("7x24", "7x8", "5x8", "onsite_arrival", "Asia/Shanghai"):
        assert word in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sla", "due", "--level", "7", "--channel", "phone"], "unknown level 7"),
        (["sla", "due", "--level", "1", "--channel", "fax"], "invalid choice"),
        (
            ["sla", "due", "--level", "1", "--channel", "phone", "--reported-at", "yesterday"],
            "cannot read 'yesterday'",
        ),
        (
            [
                "sla",
                "between",
                "--window",
                "5x8",
                "--from",
                "2026-11-27T15:00",
                "--to",
                "2026-11-26T15:00",
            ],
            "--to comes before --from",
        ),
        (
            ["sla", "add", "--window", "9x9", "--from", "2026-11-27T15:00", "--seconds", "1"],
            "unknown window '9x9'",
        ),
        (
            ["sla", "add", "--window", "5x8", "--from", "2026-11-27T15:00", "--seconds", "-1"],
            "cannot be negative",
        ),
        (["sla", "policy", "--policy", "/nonexistent/sla.toml"], "policy file not found"),
        (["sla", "policy", "--config", "/nonexistent/config.toml"], "config file not found"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_config_file_names_policy_and_zone(capsys, tmp_path):
    policy = tmp_path / "policy.toml"
    from oncall.resources import data_path

    text = data_path("sla.toml").read_text(encoding="utf-8")
    policy.write_text(text.replace('resolve = "4h"', 'resolve = "3h"'), encoding="utf-8")
    (tmp_path / "calendar-overrides.toml").write_text("", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('policy = "policy.toml"\ntimezone = "Europe/Berlin"\n', encoding="utf-8")
    code, out, err = run(
        capsys,
        "sla",
        "due",
        "--config",
        str(config),
        "--level",
        "0",
        "--channel",
        "phone",
        "--reported-at",
        "2026-11-20T10:00",
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["reported_at"] == "2026-11-20T10:00:00+01:00"
    assert data["resolve_by"] == "2026-11-20T13:00:00+01:00"


def test_sla_commands_import_no_ui_scheduler_or_database():
    probe = (
        "import sys; from oncall.cli import main; "
        "main(['sla','due','--level','2','--channel','phone','--reported-at','2026-01-05T10:00']);"
        "bad=[m for m in sys.modules if m.split('.')[0] in "
        "('textual','apscheduler','sqlalchemy','sqlmodel','alembic','psycopg','rich')];"
        "print('HEAVY', bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert "HEAVY []" in out
