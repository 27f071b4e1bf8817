"""``oncall report fault``: the report on stdout or in a file, and one line for bad input."""

from __future__ import annotations

import json

import pytest
from cli_support import blank, cli, isolated, new_fault, templates  # noqa: F401

from oncall.report.sections import duration


def test_markdown_on_stdout_with_a_clock_overdue_by_hand(cli):  # noqa: F811
    ref = new_fault(cli)["ref"]  # level 1, phone, reported 09:30 in Shanghai; now 16:30
    out = cli.ok("report", "fault", ref.lower())
    assert out.startswith(f"# Fault report {ref}\n")
    # respond: 2h of 7x8 from 09:30 -> due 11:30, not responded by 16:30
    assert "| respond | 2:00:00 (7x8) | 2026-11-23 09:30 | 2026-11-23 11:30 | - |" in out
    assert "overdue by 5:00:00 (still open)" in out


def test_html_and_json_to_a_file(cli, isolated):  # noqa: F811
    ref = new_fault(cli)["ref"]
    page = isolated / "report.html"
    out = cli.ok("report", "fault", ref, "--format", "html", "--output", str(page))
    assert out == f"{ref}: report written to {page.resolve()}\n"
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    data = isolated / "report.json"
    cli.ok("report", "fault", ref, "--format", "json", "--output", str(data))
    got = json.loads(data.read_text(encoding="utf-8"))
    assert got["fault"]["ref"] == ref and got["clocks"][0]["late_seconds"] == 5 * 3600
    assert sorted(p.name for p in isolated.iterdir() if p.name.startswith(".report")) == []


@pytest.mark.parametrize(
    "argv, says",
    [
        (["F-2026-09999"], "F-2026-09999"),
        (["{ref}", "--format", "pdf"], "invalid choice"),
        (["{ref}", "--output", "{dir}/no/such/folder/r.md"], "cannot write the report"),
        (["{ref}", "--output", "{dir}"], "it is a folder"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(cli, isolated, argv, says):  # noqa: F811
    ref = new_fault(cli)["ref"]
    before = sorted(p.name for p in isolated.rglob("*"))
    argv = [a.format(ref=ref, dir=isolated) for a in argv]
    assert says in cli.refused("report", "fault", *argv)
    assert sorted(p.name for p in isolated.rglob("*")) == before


def test_durations_are_exact_to_the_second():
    assert [duration(s) for s in (0, 59, 3600 * 26 + 1830, 86_400 * 3)] == [
        "0:00:00",
        "0:00:59",
        "1d 02:30:30",
        "3d 00:00:00",
    ]
