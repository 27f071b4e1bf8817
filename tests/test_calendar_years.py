"""Next year's calendar: a year counts as known once its make-up working days are, from
the holidays package or an override file; the desk is told when a clock could run
into a year that is not known, and can enter the year's schedule itself.

The holidays package gains years with each release, so the tests that need "a year
the package does not know" make the package stop at 2026 (``package_knows_until``)
rather than rely on what the installed version happens to contain.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from oncall.cli import main
from oncall.resources import data_path
from oncall.sla import calendar as calendar_mod
from oncall.sla import load_policy
from oncall.sla.calendar import DayKind, WorkingCalendar
from oncall.sla.window import WEEKDAYS

H = 3600


@pytest.fixture
def package_knows_until(monkeypatch, tmp_path):
    """The holidays package as of a release that has China's schedule up to a year."""
    monkeypatch.setenv("ONCALL_CACHE_DIR", str(tmp_path / "cache"))
    real = calendar_mod.from_package

    def until(last: int) -> None:
        def fake(country, subdivision, year):
            entry = real(country, subdivision, year)
            if year > last:  # not published yet: rule-based holidays, no make-up days
                entry = {**entry, "makeup": [], "known": False}
            return entry

        monkeypatch.setattr(calendar_mod, "from_package", fake)

    return until


@pytest.fixture
def desk_dir(monkeypatch, tmp_path) -> Path:
    """A config directory of our own (the desk's calendar file lives there)."""
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "config.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("ONCALL_CONFIG", str(folder / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("ONCALL_DB", raising=False)
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def refused(capsys, *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1, err
    return err


# -- which years are known ---------------------------------------------------------------


def test_the_package_knows_a_published_year_and_not_a_far_one(monkeypatch, tmp_path):
    monkeypatch.setenv("ONCALL_CACHE_DIR", str(tmp_path))
    cn = WorkingCalendar("CN", country="CN")
    assert cn.year_known(2026) and cn.year_source(2026) == "holidays package"
    # China has make-up days every year: a year without any is not published yet.
    assert not cn.year_known(2040) and cn.year_source(2040) is None
    # A country that never has make-up days knows every year.
    assert WorkingCalendar("DE", country="DE").year_known(2040)
    # A calendar of explicit dates is what it says.
    assert WorkingCalendar("X", holidays=frozenset({date(2040, 1, 1)})).year_known(2040)


def test_unknown_years_look_ahead_from_now(package_knows_until):
    package_knows_until(2026)
    policy = load_policy(data_path("sla.toml"))
    assert policy.calendar_lookahead == timedelta(days=60)
    autumn = datetime(2026, 10, 1, tzinfo=UTC)
    assert policy.unknown_years(autumn) == []
    december = datetime(2026, 12, 7, tzinfo=UTC)
    [unknown] = policy.unknown_years(december)
    assert (unknown.calendar, unknown.year) == ("CN", 2027)
    five = policy.window("5x8")
    assert policy.unknown_year_of(five, datetime(2027, 1, 5, 2, tzinfo=UTC)) == unknown
    assert policy.unknown_year_of(five, datetime(2026, 12, 31, 2, tzinfo=UTC)) is None
    assert policy.unknown_year_of(policy.window("7x8"), datetime(2027, 1, 5, tzinfo=UTC)) is None


def test_the_lookahead_is_policy(tmp_path, package_knows_until):
    package_knows_until(2026)
    text = data_path("sla.toml").read_text(encoding="utf-8")
    (tmp_path / "calendar-overrides.toml").write_text("", encoding="utf-8")
    path = tmp_path / "sla.toml"
    path.write_text("calendar_lookahead_days = 10\n" + text, encoding="utf-8")
    policy = load_policy(path)
    assert policy.unknown_years(datetime(2026, 12, 7, tzinfo=UTC)) == []
    assert policy.unknown_years(datetime(2026, 12, 25, tzinfo=UTC))


def test_a_working_day_in_the_shipped_override_file_makes_its_year_known(
    tmp_path, package_knows_until
):
    package_knows_until(2026)
    text = data_path("sla.toml").read_text(encoding="utf-8")
    (tmp_path / "calendar-overrides.toml").write_text(
        "holidays = [2027-02-08]\nworkdays = [2027-02-20]\n", encoding="utf-8"
    )
    (tmp_path / "sla.toml").write_text(text, encoding="utf-8")
    cn = load_policy(tmp_path / "sla.toml").calendars["CN"]
    assert cn.year_known(2027)
    assert cn.year_source(2027).startswith("override file ")
    assert cn.day_kind(date(2027, 2, 20)) is DayKind.MAKEUP


def test_the_desk_file_adds_a_year_and_wins(tmp_path, package_knows_until):
    package_knows_until(2026)
    desk = tmp_path / "calendar.toml"
    # 2026-10-10 is a make-up Saturday in the package; the desk says it is off after all.
    desk.write_text(
        "[CN.2027]\noff = [2027-02-08]\nwork = [2027-02-20]\n"
        "[CN.2026]\noff = [2026-10-10]\nwork = []\n",
        encoding="utf-8",
    )
    cn = load_policy(data_path("sla.toml"), desk_calendar=desk).calendars["CN"]
    assert cn.year_known(2027) and cn.year_source(2027) == f"desk file {desk}"
    assert cn.day_kind(date(2027, 2, 8)) is DayKind.OFF
    assert cn.day_kind(date(2027, 2, 20)) is DayKind.MAKEUP
    assert cn.day_kind(date(2026, 10, 10)) is DayKind.OFF


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("[CN.2027]\noff = [2026-02-08]\n", "not in 2027"),
        ("[CN.2027]\noff = [2027-02-08]\nwork = [2027-02-08]\n", "both a day off"),
        ("[HK.2027]\noff = [2027-02-08]\n", "HK: the policy has no such calendar"),
        ("[CN.27]\noff = []\n", "a year like 2027"),
        ("[CN.2027]\nholidays = []\n", "unknown key"),
        ("[CN.2027\n", "cannot read"),
    ],
)
def test_a_bad_desk_file_is_one_clear_error(tmp_path, content, words):
    from oncall.sla import PolicyError

    desk = tmp_path / "calendar.toml"
    desk.write_text(content, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(data_path("sla.toml"), desk_calendar=desk)
    assert str(caught.value).startswith(f"{desk}: ")
    assert words in str(caught.value)


# -- the CLI ---------------------------------------------------------------------------


def test_calendar_show_says_not_known_then_set_enters_the_year(
    capsys, desk_dir, package_knows_until
):
    package_knows_until(2026)
    code, out, _ = run(capsys, "calendar", "show", "2027")
    assert code == 0
    assert out.splitlines()[0].endswith("2027: not known")
    assert "oncall calendar set 2027" in out

    code, out, err = run(
        capsys,
        "calendar",
        "set",
        "2027",
        "--off",
        "2027-02-05",
        "2027-02-08",
        "--work",
        "2027-02-07",
    )
    assert code == 0, err
    path = desk_dir / "calendar.toml"
    assert str(path) in out and "2027 is now known" in out
    assert "[CN.2027]" in path.read_text(encoding="utf-8")

    data = json.loads(run(capsys, "calendar", "show", "2027", "--json")[1])
    assert data["known"] and data["source"] == f"desk file {path}"
    days = {d["date"]: (d["kind"], d["from"]) for d in data["days"]}
    assert days["2027-02-07"] == ("makeup", f"desk file {path}")
    assert days["2027-02-08"] == ("off", f"desk file {path}")
    assert days["2027-01-01"] == ("off", "holidays package")

    # Setting the year again replaces its entry: a correction, not an addition.
    run(capsys, "calendar", "set", "2027", "--off", "2027-02-09")
    data = json.loads(run(capsys, "calendar", "show", "2027", "--json")[1])
    days = {d["date"]: d["kind"] for d in data["days"]}
    assert "2027-02-07" not in days and days["2027-02-09"] == "off"


def test_calendar_show_of_a_known_year(capsys, desk_dir, package_knows_until):
    package_knows_until(2026)
    code, out, _ = run(capsys, "calendar", "show", "2026")
    assert code == 0
    assert "2026: known (holidays package)" in out.splitlines()[0]
    assert "2026-10-10  sat  worked (make-up day)  holidays package" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--off", "2026-02-08"], "--off: 2026-02-08 is not in 2027"),
        (["--work", "2027-13-01"], "is not a date"),
        (["--off", "2027-02-08", "--work", "2027-02-08"], "both --off and --work"),
        ([], "give the year's days off"),
        (["--calendar", "HK", "--off", "2027-02-08"], "no calendar named 'HK'"),
    ],
)
def test_calendar_set_refuses_bad_input_and_writes_nothing(capsys, desk_dir, argv, words):
    err = refused(capsys, "calendar", "set", "2027", *argv)
    assert words in err
    assert not (desk_dir / "calendar.toml").exists()


def test_calendar_set_into_a_folder_it_cannot_write(capsys, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    (tmp_path / "calendar.toml").mkdir()  # in the way: the file cannot be written
    monkeypatch.setenv("ONCALL_CONFIG", str(config))
    err = refused(capsys, "calendar", "set", "2027", "--off", "2027-02-08")
    assert "calendar.toml" in err


def test_calendar_show_refuses_a_bad_year(capsys, desk_dir):
    assert "a year like 2027" in refused(capsys, "calendar", "show", "27")


def test_sla_policy_lists_calendar_years_and_warns(
    capsys, desk_dir, package_knows_until, monkeypatch
):
    package_knows_until(2026)
    monkeypatch.setenv("ONCALL_NOW", "2026-12-07T10:00")
    code, out, err = run(capsys, "sla", "policy")
    assert code == 0
    assert "2026: holidays package; 2027: NOT KNOWN" in out
    assert "calendar CN does not know 2027's working days" in err
    assert "oncall calendar set 2027" in err
    monkeypatch.setenv("ONCALL_NOW", "2026-10-01T10:00")
    code, out, err = run(capsys, "sla", "policy")
    assert "NOT KNOWN" not in out and err == ""


def test_sla_due_warns_for_a_deadline_in_a_year_not_known(capsys, desk_dir, package_knows_until):
    package_knows_until(2026)
    argv = ["sla", "due", "--level", "3", "--channel", "phone", "--json"]
    data = json.loads(run(capsys, *argv, "--reported-at", "2026-12-28T10:00")[1])
    assert data["resolve_by"].startswith("2027-01-05")
    [warning] = data["calendar_warnings"]
    assert "2027" in warning
    data = json.loads(run(capsys, *argv, "--reported-at", "2026-12-01T10:00")[1])
    assert data["calendar_warnings"] == []


def test_fault_show_warns_for_a_deadline_in_a_year_not_known(
    capsys, desk_dir, package_knows_until, monkeypatch, tmp_path
):
    package_knows_until(2026)
    db = str(tmp_path / "desk.sqlite3")
    monkeypatch.setenv("ONCALL_NOW", "2026-12-28T10:00")
    monkeypatch.setattr("oncall.identity.real_user", lambda: "duty")
    for argv in (
        ["db", "upgrade"],
        ["engineer", "add", "duty", "--name", "Duty", "--seniority", "engineer"],
        ["customer", "add", "ACME", "--system", "EMS"],
        ["fault", "new", "--customer", "ACME", "--system", "EMS", "--level", "3"]
        + ["--channel", "phone", "--title", "export fails"],
    ):
        assert run(capsys, "--db", db, *argv)[0] == 0
    code, out, _ = run(capsys, "--db", db, "fault", "show", "F-2026-00001")
    assert code == 0
    warning = next(line for line in out.splitlines() if line.startswith("warning:"))
    assert "calendar CN does not know 2027's working days" in warning
    data = json.loads(run(capsys, "--db", db, "fault", "show", "F-2026-00001", "--json")[1])
    assert len(data["calendar_warnings"]) == 1
    # Once the desk enters 2027, the warning goes.
    run(capsys, "calendar", "set", "2027", "--off", "2027-02-08")
    code, out, _ = run(capsys, "--db", db, "fault", "show", "F-2026-00001")
    assert "warning:" not in out


# -- weekend hours and windows without hours --------------------------------------------


def _policy(tmp_path: Path, calendars: str, window: str):
    (tmp_path / "p.toml").write_text(
        f"""
{calendars}
[windows.w]
{window}
[levels.0]
window = "w"
respond = {{ phone = "1h", electronic = "1h" }}
resolve = "4h"
""",
        encoding="utf-8",
    )
    return tmp_path / "p.toml"


SEVEN_DAYS = "\n".join(f'{d} = ["09:00-17:00"]' for d in WEEKDAYS)


def test_a_calendar_without_a_country_keeps_the_weekend_hours(tmp_path):
    path = _policy(
        tmp_path, "[calendars.H]\nholidays = [2026-03-09]", f'calendar = "H"\n{SEVEN_DAYS}'
    )
    window = load_policy(path).window("w")
    saturday = datetime(2026, 3, 7, 1, tzinfo=UTC)  # 09:00 in Shanghai
    assert window.is_open(saturday)
    # Sat 8 h + Sun 8 h; Monday the 9th is the holiday; Tuesday 1 h.
    assert window.add(saturday, 17 * H) == datetime(2026, 3, 10, 2, tzinfo=UTC)


def test_a_calendar_can_name_its_weekend(tmp_path):
    path = _policy(
        tmp_path,
        '[calendars.H]\nholidays = [2026-03-09]\nweekend = ["sat", "sun"]\nworkdays = [2026-03-14]',
        f'calendar = "H"\n{SEVEN_DAYS}',
    )
    window = load_policy(path).window("w")
    assert not window.is_open(datetime(2026, 3, 7, 1, tzinfo=UTC))
    assert window.is_open(datetime(2026, 3, 14, 1, tzinfo=UTC))  # the worked Saturday


def test_a_bad_weekend_is_refused(tmp_path):
    from oncall.sla import PolicyError

    path = _policy(
        tmp_path, '[calendars.H]\nweekend = ["saturday"]', f'calendar = "H"\n{SEVEN_DAYS}'
    )
    with pytest.raises(PolicyError, match=r"calendars\.H\.weekend: 'saturday' is not a weekday"):
        load_policy(path)


@pytest.mark.parametrize(
    "calendar",
    ['[calendars.C]\ncountry = "CN"', '[calendars.C]\nweekend = ["sat", "sun"]'],
)
def test_a_window_with_hours_only_on_days_off_is_refused(tmp_path, calendar):
    from oncall.sla import PolicyError

    path = _policy(tmp_path, calendar, 'calendar = "C"\nsat = ["09:00-17:00"]')
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert "windows.w: its hours fall only on days calendar 'C' has off (sat, sun)" in str(
        caught.value
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["sla", "add", "--window", "w", "--from", "2026-11-27T15:00", "--seconds", "3600"],
        ["sla", "due", "--level", "0", "--channel", "phone", "--reported-at", "2026-11-27T15:00"],
        ["sla", "between", "--window", "w", "--from", "2026-11-27T15:00"]
        + ["--to", "2026-12-27T15:00"],
        ["sla", "policy"],
    ],
)
def test_sla_commands_refuse_such_a_window_in_one_line(capsys, tmp_path, desk_dir, argv):
    path = _policy(
        tmp_path, '[calendars.C]\nweekend = ["sat", "sun"]', 'calendar = "C"\nsun = ["09:00-17:00"]'
    )
    err = refused(capsys, *argv, "--policy", str(path))
    assert "has off (sat, sun)" in err


def test_the_engine_s_own_refusal_is_one_line_too(capsys, tmp_path, desk_dir):
    """A window the loader cannot judge (its only hours on days a list takes off) still
    gets one line from the SLA commands, not a traceback."""
    mondays = (date(2026, 1, 5) + timedelta(weeks=n) for n in range(53 * 12))
    holidays = ", ".join(d.isoformat() for d in mondays)
    path = _policy(
        tmp_path, f"[calendars.C]\nholidays = [{holidays}]", 'calendar = "C"\nmon = ["09:00-17:00"]'
    )
    err = refused(
        capsys,
        "sla",
        "add",
        "--window",
        "w",
        "--from",
        "2026-01-05T15:00",
        "--seconds",
        "36000",
        "--policy",
        str(path),
    )
    assert "service hours" in err
