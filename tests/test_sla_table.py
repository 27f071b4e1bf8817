"""Hand-checked deadlines of the default policy (data/sla.toml).

Every expected value below was worked out by hand from the calendar, not by
running the engine; the comment says how. Times are the desk's (Asia/Shanghai).

The policy: level 0 on 7x24, respond 1h (phone and electronic), resolve 4h;
level 1 on 7x8 (09:00-17:00 every day, holidays included), respond 2h / 4h,
resolve 8h; level 2 on 5x8 (09:00-17:00 on China's working days), respond
4h / 8h, resolve 24h; level 3 on 5x8, respond 8h / 8h, resolve 40h.

China 2026 (State Council notice): New Year Jan 1-3 off, Sun Jan 4 worked;
Spring Festival Feb 15-23 off, Sat Feb 14 and Sat Feb 28 worked; Mid-Autumn
Sep 25-27 off; National Day Oct 1-7 off, Sun Sep 20 and Sat Oct 10 worked.
Weekdays used: 2025-12-31 Wed, 2026-02-13 Fri, 02-16 Mon, 02-24 Tue, 03-04 Wed,
03-06 Fri, 09-18 Fri, 09-24 Thu, 09-25 Fri, 09-30 Wed, 10-01 Thu, 10-03 Sat,
10-06 Tue, 10-08 Thu, 10-10 Sat, 10-13 Tue.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from oncall.resources import data_path
from oncall.sla import FaultHistory, evaluate, load_policy

SH = ZoneInfo("Asia/Shanghai")
H = 3600


def case(*values):
    """A table row: its values, and last the reason it is expected (the test's id)."""
    return pytest.param(*values[:-1], id=values[-1])


def at(text: str) -> datetime:
    """``"2026-03-04 10:15"`` in the desk's zone."""
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture(scope="module")
def policy():
    return load_policy(data_path("sla.toml"))


# Each case's last value says why it is expected (and is the test's id).
# fmt: off
RESPOND_RESOLVE = [
    # level, channel, reported, respond due, resolve due, why
    case(0, "phone", "2026-03-04 10:15", "2026-03-04 11:15", "2026-03-04 14:15",
         "L0 phone, weekday: 7x24 is plain clock time, +1h and +4h"),
    case(0, "electronic", "2026-10-03 23:30", "2026-10-04 00:30", "2026-10-04 03:30",
         "L0 electronic, holiday night: 7x24 runs through the holiday and midnight"),
    case(1, "phone", "2026-03-04 10:00", "2026-03-04 12:00", "2026-03-05 10:00",
         "L1 phone, weekday: respond 10:00+2h; resolve 7h to 17:00, 1h from 09:00 next day"),
    case(1, "electronic", "2026-03-06 16:30", "2026-03-07 12:30", "2026-03-07 16:30",
         "L1 electronic, Fri 16:30: 0.5h Fri, then Saturday is a 7x8 day: 09:00+3.5h / "
         "+7.5h"),
    case(1, "phone", "2026-10-01 02:00", "2026-10-01 11:00", "2026-10-01 17:00",
         "L1 phone, National Day night: 7x8 keeps holidays, opens 09:00; 8h end exactly "
         "17:00"),
    case(1, "electronic", "2026-03-04 13:00", "2026-03-04 17:00", "2026-03-05 13:00",
         "L1 electronic at 13:00: 4h run out at the close, due 17:00 (not 09:00 next day)"),
    case(1, "phone", "2026-03-04 23:59", "2026-03-05 11:00", "2026-03-05 17:00",
         "L1 phone one minute before midnight: starts at 09:00 next day"),
    case(2, "phone", "2026-03-06 16:30", "2026-03-09 12:30", "2026-03-11 16:30",
         "L2 phone, Fri 16:30: 0.5h Fri, weekend off, Mon 09:00+3.5h; resolve 0.5+8+8+7.5"),
    case(2, "electronic", "2026-03-04 09:00", "2026-03-04 17:00", "2026-03-06 17:00",
         "L2 electronic at the opening: 8h end at Wed's close; 24h = Wed, Thu, Fri to "
         "17:00"),
    case(2, "phone", "2026-03-07 10:00", "2026-03-09 13:00", "2026-03-11 17:00",
         "L2 phone on a Saturday: starts Mon 09:00; resolve Mon, Tue, Wed to 17:00"),
    case(2, "phone", "2026-03-04 05:00", "2026-03-04 13:00", "2026-03-06 17:00",
         "L2 phone at night: starts at 09:00 the same day"),
    case(2, "phone", "2026-03-04 17:00", "2026-03-05 13:00", "2026-03-09 17:00",
         "L2 phone exactly at the close: the close is outside, starts Thu 09:00; resolve "
         "Thu, Fri, (weekend), Mon"),
    case(2, "phone", "2026-03-04 13:00", "2026-03-04 17:00", "2026-03-09 13:00",
         "L2 phone at 13:00: 4h run out at the close, due 17:00 the same day; resolve "
         "4+8+8 to Fri, 4h on Mon"),
    case(2, "phone", "2026-09-30 16:30", "2026-10-08 12:30", "2026-10-10 16:30",
         "L2 phone just before National Day: 0.5h Sep 30, Oct 1-7 off, Oct 8 09:00+3.5h; "
         "resolve 0.5 + Oct 8 + Oct 9 + make-up Sat Oct 10 09:00+7.5h"),
    case(3, "electronic", "2026-10-03 11:00", "2026-10-08 17:00", "2026-10-13 17:00",
         "L3 electronic inside National Day: respond Oct 8 whole day; resolve Oct 8, 9, "
         "Sat 10 (make-up), Mon 12, Tue 13"),
    case(2, "electronic", "2026-10-06 10:00", "2026-10-08 17:00", "2026-10-10 17:00",
         "L2 electronic on Tue Oct 6 (a day off in lieu): respond Oct 8 whole day; resolve "
         "24h = Oct 8, Oct 9, make-up Sat Oct 10 to 17:00"),
    case(3, "phone", "2026-09-18 16:30", "2026-09-20 16:30", "2026-09-24 16:30",
         "L3 phone Fri 16:30 before the make-up Sunday: 0.5h Fri, Sat off, Sun Sep 20 "
         "worked 09:00+7.5h; resolve 0.5+8 (Sun)+8x3 (Mon-Wed)+7.5 Thu"),
    case(2, "phone", "2026-09-24 14:00", "2026-09-28 10:00", "2026-09-30 14:00",
         "L2 phone Thu 14:00 before Mid-Autumn: 3h Thu, Fri Sep 25 off, weekend, Mon "
         "09:00+1h; resolve 3 + Mon 8 + Tue 8 + Wed 5"),
    case(2, "phone", "2026-02-13 16:30", "2026-02-14 12:30", "2026-02-25 16:30",
         "L2 phone Fri 16:30 before Spring Festival: Sat Feb 14 worked 09:00+3.5h; resolve "
         "0.5 + 8 (Sat) + Feb 15-23 off + Tue 24 8 + Wed 25 7.5"),
    case(3, "electronic", "2026-02-16 10:00", "2026-02-24 17:00", "2026-02-28 17:00",
         "L3 electronic on New Year's Eve (off): respond Tue Feb 24 whole day; resolve Feb "
         "24-27 and make-up Sat Feb 28"),
    case(2, "electronic", "2026-02-14 08:00", "2026-02-14 17:00", "2026-02-25 17:00",
         "L2 electronic on make-up Sat Feb 14 before opening: Monday's hours, 09:00-17:00; "
         "resolve Feb 14, 24, 25"),
    case(2, "phone", "2026-02-28 18:00", "2026-03-02 13:00", "2026-03-04 17:00",
         "L2 phone after the close of make-up Sat Feb 28: Sun off, Mon 09:00+4h; resolve "
         "Mon, Tue, Wed"),
    case(3, "phone", "2025-12-31 15:00", "2026-01-04 15:00", "2026-01-08 15:00",
         "L3 phone New Year's Eve 15:00: 2h Wed, Jan 1-3 off, make-up Sun Jan 4 09:00+6h; "
         "resolve 2 + Jan 4, 5, 6, 7 (32) + 6h Thu Jan 8"),
    case(3, "electronic", "2026-03-06 16:59", "2026-03-09 16:59", "2026-03-13 16:59",
         "L3 electronic Fri 16:59: 1 minute Fri, then 7h59m on Mon; resolve ends Fri 16:59"),
]
# fmt: on


@pytest.mark.parametrize(("level", "channel", "reported", "respond", "resolve"), RESPOND_RESOLVE)
def test_respond_and_resolve_deadlines(policy, level, channel, reported, respond, resolve):
    clocks = evaluate(
        policy, FaultHistory(level=level, channel=channel, reported_at=at(reported)), at(reported)
    )
    assert clocks.clock("respond").deadline == at(respond)
    assert clocks.clock("resolve").deadline == at(resolve)


# fmt: off
WINDOW_ADD = [
    # window, start, service hours, due, why
    case("5x8", "2026-09-30 09:00", 8, "2026-09-30 17:00",
         "5x8: a whole working day ends at its close"),
    case("5x8", "2026-09-30 09:00", 9, "2026-10-08 10:00",
         "5x8: one hour more jumps National Day to Oct 8 10:00"),
    case("5x8", "2026-10-09 17:00", 1, "2026-10-10 10:00",
         "5x8: Fri close to make-up Sat Oct 10"),
    case("5x8", "2026-10-10 17:00", 1, "2026-10-12 10:00",
         "5x8: make-up Sat close, Sun off, Mon 10:00"),
    case("7x8", "2026-10-03 17:00", 8, "2026-10-04 17:00",
         "7x8: holidays are service days, a day's 8h end at 17:00"),
    case("7x24", "2026-02-16 22:00", 4, "2026-02-17 02:00",
         "7x24: no seam at midnight, no holidays"),
    case("5x8", "2026-02-13 17:00", 16, "2026-02-24 17:00",
         "5x8: Sat Feb 14 worked, Feb 15-23 off, Tue Feb 24"),
]
# fmt: on


@pytest.mark.parametrize(("window", "start", "hours", "expected"), WINDOW_ADD)
def test_window_add(policy, window, start, hours, expected):
    assert policy.window(window).add(at(start), hours * H) == at(expected)


@pytest.mark.parametrize(
    ("window", "start", "end", "hours"),
    [
        pytest.param("5x8", "2026-09-30 00:00", "2026-10-09 00:00", 16, id="Sep 30 and Oct 8"),
        pytest.param(
            "5x8", "2026-02-13 00:00", "2026-03-02 00:00", 56, id="Feb 13, 14, 24-28: seven days"
        ),
        pytest.param("7x8", "2026-10-01 00:00", "2026-10-08 00:00", 56, id="seven 7x8 days"),
        pytest.param("7x24", "2026-10-01 00:00", "2026-10-08 00:00", 168, id="a week"),
    ],
)
def test_window_between(policy, window, start, end, hours):
    assert policy.window(window).between(at(start), at(end)) == hours * H


# Further deadlines: (level, channel, reported, history fields, now, {clock: deadline});
# a clock missing from the dict must be absent; "pending" means present but pending.
# fmt: off
FURTHER = [
    # level, channel, reported, history (responded_at ...), now, {clock: due}, why
    case(0, "phone", "2026-03-04 10:15", {}, "2026-03-04 10:20",
         {"solution": "2026-03-04 12:15", "onsite_arrival": ("pending", "2026-03-05 10:15")},
         "L0: solution +2h on 7x24; on-site arrival pending until 1h without response"),
    case(0, "electronic", "2026-03-04 10:15", {"responded_at": "2026-03-04 11:15"},
         "2026-03-04 12:00",
         {"solution": "2026-03-04 12:15"},
         "L0 answered at exactly 1h: no on-site arrival owed"),
    case(0, "phone", "2026-03-04 10:15", {"responded_at": "2026-03-04 11:45"},
         "2026-03-04 12:00",
         {"solution": "2026-03-04 12:15", "onsite_arrival": "2026-03-05 10:15"},
         "L0 answered after 1h30: an engineer on site within 24h of the report"),
    case(1, "phone", "2026-10-03 20:00", {}, "2026-10-03 21:30",
         {"solution": "2026-10-04 20:00", "onsite_arrival": "2026-10-04 20:00"},
         "L1 holiday evening, unanswered for 1h: solution and arrival +24h on 7x24"),
    case(1, "phone", "2026-10-03 20:00",
         {"responded_at": "2026-10-03 20:10", "onsite_started_at": "2026-10-04 11:00"},
         "2026-10-04 11:30",
         {"solution": "2026-10-04 20:00", "onsite_escalation": "2026-10-04 13:00"},
         "L1 on site at 11:00: escalation due 2h later (7x24)"),
    case(2, "phone", "2026-09-18 16:30",
         {"responded_at": "2026-09-18 16:40", "remote_started_at": "2026-09-19 08:00"},
         "2026-09-19 08:30",
         {"solution": "2026-09-19 16:30", "remote_fix": "2026-09-19 10:00"},
         "L2: solution 24h of wall time; remote fix 2h after remote work starts, "
         "a Saturday too"),
    case(3, "phone", "2026-09-30 10:00", {"remote_started_at": "2026-09-30 11:00"},
         "2026-09-30 11:30",
         {"solution": "2026-10-09 10:00"},
         "L3: solution 16h on 5x8 = 7h Sep 30 + 8h Oct 8 + 1h Oct 9; no remote-fix clock"),
    case(1, "electronic", "2026-03-04 10:00", {"responded_at": "2026-03-04 10:30"},
         "2026-03-04 10:30",
         {"solution": "2026-03-05 10:00"},
         "L1 answered in time: solution only (no remote work, no on-site)"),
]
# fmt: on


@pytest.mark.parametrize(("level", "channel", "reported", "fields", "now", "expected"), FURTHER)
def test_further_deadlines(policy, level, channel, reported, fields, now, expected):
    history = FaultHistory(
        level=level,
        channel=channel,
        reported_at=at(reported),
        **{k: at(v) for k, v in fields.items()},
    )
    clocks = evaluate(policy, history, at(now))
    further = {c.name: c for c in clocks.clocks if c.name not in ("respond", "resolve")}
    assert set(further) == set(expected)
    for name, want in expected.items():
        pending = isinstance(want, tuple)
        deadline = want[1] if pending else want
        assert further[name].deadline == at(deadline), name
        assert further[name].pending is pending, name
