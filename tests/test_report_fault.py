"""The customer's fault report: its figures against a fault worked out by hand
(tests/report_support.py), and its three forms (Markdown, HTML, JSON)."""

from __future__ import annotations

import json

import pytest
from report_support import RECORD, REPORT_NOW, known_fault

from oncall.clock import FixedClock
from oncall.report import render
from oncall.report.fault import fault_report


@pytest.fixture
def clock():
    return FixedClock(REPORT_NOW)


@pytest.fixture
def report(desk):
    return fault_report(desk, known_fault(desk))


def test_the_clocks_results_are_the_hand_worked_ones(report):
    got = {c.name: (c.result, c.late_seconds) for c in report.clocks}
    assert got["respond"] == ("met", 0)
    assert got["solution"] == ("breached", 30 * 60)
    assert got["remote_fix"] == ("breached", 20 * 60)
    assert got["onsite_escalation"] == ("met", 0)
    assert got["resolve"] == ("met", 0)
    resolve = next(c for c in report.clocks if c.name == "resolve")
    assert resolve.deadline.isoformat() == "2026-03-10T04:30:00+00:00"  # 4h + the 30-min wait
    assert report.paused_seconds == 30 * 60
    assert [(p.seconds, p.reason) for p in report.pauses] == [(1800, "等待用户停机窗口")]


def test_work_by_mode_onsite_signatures_record_and_resolution(report):
    assert [(m.mode, m.seconds, len(m.entries)) for m in report.work] == [
        ("phone", 15 * 60, 1),
        ("remote", 60 * 60, 1),
        ("onsite", 75 * 60, 1),
    ]
    (site,) = report.onsite
    assert (site.customer_signed_by, site.vendor_signed_by_name) == ("张工", "Duty Officer")
    assert site.customer_signed_at == site.vendor_signed_at == site.end
    assert report.record.diagnosis == RECORD["diagnosis"]
    assert report.record.changes == RECORD["changes"]
    assert report.resolution == "网卡更换后遥测恢复"
    assert [e.verb for e in report.audit][0] == "log" and report.audit[-1].verb == "close"


def test_markdown_shows_the_figures_in_the_desks_zone(report):
    md = render(report, "md")
    assert md.startswith(f"# Fault report {report.ref}\n")
    assert "**Reported at**: 2026-03-10 08:00" in md  # 00:00 UTC in Shanghai
    assert "**Closed at**: 2026-03-10 13:00" in md
    assert "| solution | 2:00:00 (7x24) | 2026-03-10 08:00 | 2026-03-10 10:00 |" in md
    assert "breached by 0:30:00" in md and "breached by 0:20:00" in md
    assert "Waiting on the customer: 0:30:00 in all" in md
    assert "on-site: 1:15:00 in all" in md
    assert "**Signed for the customer**: 张工, 2026-03-10 12:15" in md
    assert "**Signed for the vendor**: Duty Officer, 2026-03-10 12:15" in md
    for text in RECORD.values():
        assert text.replace("|", "\\|") in md


def test_json_has_the_documented_keys(report):
    out = json.loads(render(report, "json"))
    assert list(out) == [
        "report", "version", "as_of", "timezone", "fault", "resolution", "clocks",
        "paused_seconds", "pauses", "record", "work", "onsite", "audit",
    ]  # fmt: skip
    assert out["fault"]["reported_at"] == "2026-03-10T08:00:00+08:00"
    solution = next(c for c in out["clocks"] if c["clock"] == "solution")
    assert solution == {
        "clock": "solution",
        "window": "7x24",
        "target_seconds": 7200,
        "started_at": "2026-03-10T08:00:00+08:00",
        "deadline": "2026-03-10T10:00:00+08:00",
        "stopped_at": "2026-03-10T10:30:00+08:00",
        "result": "breached",
        "late_seconds": 1800,
        "paused_seconds": 0,
    }
    assert out["onsite"][0]["customer_signed_by"] == "张工"
    assert [m["seconds"] for m in out["work"]] == [900, 3600, 4500]


HOSTILE = "<script>alert(1)</script>\x1b[31m红\x07"


def test_html_is_one_page_that_escapes_what_was_typed(desk):
    ref = known_fault(desk, title=HOSTILE, close=False)
    page = render(fault_report(desk, ref), "html")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "<script" not in page.lower()  # no markup from the title, and none of ours
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\e[31m红\\x07" in page
    assert "\x1b" not in page and "\x07" not in page
    for external in ("http://", "https://", "<link", "src=", "@import", "url("):
        assert external not in page
    assert "前置机网卡故障" in page  # CJK as typed
    md = render(fault_report(desk, ref), "md")
    assert "\x1b" not in md and "\\e[31m" in md
    js = render(fault_report(desk, ref), "json")
    assert "\x1b" not in js and json.loads(js)["fault"]["title"] == HOSTILE  # reads back
