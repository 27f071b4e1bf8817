"""The fault report as JSON, for other tools: stable keys (README, "Fault report").

Instants are ISO 8601 in the desk's zone, durations whole seconds; text as stored
(control characters ``\\uXXXX``-escaped by ``json_text``, so the same string reads back).
"""

from __future__ import annotations

from typing import Any

from ..text import json_text
from ..timefmt import iso, stored_instant
from .fault import FaultReport

VERSION = 1  # bumped if a key changes meaning or goes


def as_dict(r: FaultReport) -> dict[str, Any]:
    def at(when):
        return iso(when, r.tz)

    return {
        "report": "fault",
        "version": VERSION,
        "as_of": at(r.now),
        "timezone": str(r.tz),
        "fault": {
            "ref": r.ref,
            "title": r.title,
            "customer": r.customer,
            "system": r.system,
            "product": r.product,
            "model": r.model,
            "level": r.level,
            "channel": r.channel,
            "status": r.status,
            "contact": r.contact,
            "reported_at": at(r.reported_at),
            "reported_by": r.reported_by,
            "responded_at": at(r.responded_at),
            "resolved_at": at(r.resolved_at),
            "closed_at": at(r.closed_at),
            "out_of_warranty": r.out_of_warranty,
        },
        "resolution": r.resolution,
        "clocks": [
            {
                "clock": c.name,
                "window": c.window,
                "target_seconds": c.target_seconds,
                "started_at": at(c.started_at),
                "deadline": at(c.deadline),
                "stopped_at": at(c.stopped_at),
                "result": c.result,
                "late_seconds": c.late_seconds,
                "paused_seconds": c.paused_seconds,
            }
            for c in r.clocks
        ],
        "paused_seconds": r.paused_seconds,
        "pauses": [
            {"start": at(p.start), "end": at(p.end), "seconds": p.seconds, "reason": p.reason}
            for p in r.pauses
        ],
        "record": {
            "symptom": r.record.symptom,
            "diagnosis": r.record.diagnosis,
            "handling": r.record.handling,
            "losses": r.record.losses,
            "changes": r.record.changes,
        },
        "work": [
            {
                "mode": m.mode,
                "seconds": m.seconds,
                "ongoing": m.ongoing,
                "entries": [
                    {
                        "id": w.id,
                        "start": at(w.start),
                        "end": at(w.end),
                        "seconds": w.seconds,
                        "engineer": w.engineer,
                        "engineer_name": w.engineer_name,
                        "done": w.done,
                        "result": w.result,
                    }
                    for w in m.entries
                ],
            }
            for m in r.work
        ],
        "onsite": [
            {
                "entry": o.entry,
                "start": at(o.start),
                "end": at(o.end),
                "engineer": o.engineer,
                "engineer_name": o.engineer_name,
                "done": o.done,
                "result": o.result,
                "customer_signed_by": o.customer_signed_by,
                "customer_signed_at": at(o.customer_signed_at),
                "vendor_signed_by": o.vendor_signed_by,
                "vendor_signed_by_name": o.vendor_signed_by_name,
                "vendor_signed_at": at(o.vendor_signed_at),
            }
            for o in r.onsite
        ],
        "audit": [
            {
                "id": e.id,
                "at": at(e.at),
                "logged_at": at(e.logged_at),
                "user": e.user,
                "real_user": e.real_user,
                "verb": e.verb,
                "data": {k: (at(w) if (w := stored_instant(v)) else v) for k, v in e.data.items()},
            }
            for e in r.audit
        ],
    }


def render(report: FaultReport) -> str:
    return json_text(as_dict(report), indent=2) + "\n"
