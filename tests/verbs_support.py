"""Counting what a verb costs: the SLA engine's evaluations (``oncall.sla.evaluate``,
wherever a module of ``oncall`` imported it by name)."""

from __future__ import annotations

import sys

import oncall.sla.clocks as clocks


class Evaluations:
    """How often the clocks were evaluated since it was made (``monkeypatch`` undoes it)."""

    def __init__(self, monkeypatch) -> None:
        self.count = 0
        original = clocks.evaluate

        def counted(*args, **kwargs):
            self.count += 1
            return original(*args, **kwargs)

        for name, module in list(sys.modules.items()):
            if name.startswith("oncall") and getattr(module, "evaluate", None) is original:
                monkeypatch.setattr(module, "evaluate", counted)
