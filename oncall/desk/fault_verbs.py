"""``desk.faults``: the fault verbs, from the report to the close.

Faults are named by their human id (``"F-2026-00042"``). Every verb but ``log``
takes ``version=`` (the ``FaultSummary.version`` the caller saw; ``None`` =
whatever is current, for one-shot CLI commands) and ``at=`` (when it
happened; default ``clock.now()``; may be back-dated, never into the future,
before the report, or, for the verbs the clocks order, before the fault's last
such change). Each is one transaction (``Tx.fault_verb``) and returns what
changed: the fault's new ``FaultSummary`` (its new ``version``, status, owner,
cached next breach), so a caller repaints from it.

Statuses: new -> responded -> in_progress <-> waiting -> resolved -> closed;
resolved or closed -> (reopen) -> in_progress. Pausing is allowed from
responded or in_progress; a work entry (``desk.work``) moves a responded fault
to in_progress.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from oncall.i18n import N_
from oncall.sla import CHANNELS, evaluate
from oncall.store.models import Engineer, Fault, FaultCounter, FaultRecordRow, System, WorkEntryRow
from oncall.vocabulary import RECORD_FIELD_NAMES, new_fault_ref, status_word

from . import history as h
from . import validate as v
from .convert import FAULT_COLUMNS, checked_level, engineer_info
from .convert import summary as to_summary
from .customers import customer_row
from .errors import InvalidTransition, NotFound, ValidationError
from .fault_view import view_in
from .roster import more_senior
from .tx import FaultTx, Tx
from .views import RESPONSE_HOW, SENIORITIES, FaultSummary, warranty_ended

COUNTERS = FaultCounter.__table__
_RECORD_FIELDS = ("diagnosis", "handling", "losses", "changes")
_REF_RETRIES = 5


class Faults:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def log(
        self,
        *,
        customer: str,
        system: str,
        title: str,
        level: int,
        channel: str,
        symptom: str = "",
        contact: str = "",
        assignee: str | None = None,
        at: datetime | None = None,
        responded_at: datetime | None = None,
        responded_via: str | None = None,
        response_note: str = "",
    ) -> FaultSummary:
        """Log a fault the customer reported (``at``: when it was reported).

        Gives it the next human id of the report's year in the desk's time
        zone (``F-2026-00042``) and starts its clocks.

        ``responded_at``: a call logged after the fact that was already answered
        (``responded_via``, default the report's channel; ``response_note``).
        The fault and its first response are written in one transaction, so no
        alert sees the fault unresponded in between.
        """
        title = v.text(title, N_("title"), required=True, max_chars=500, strip=True)
        symptom = v.text(symptom, N_("symptom"))
        contact = v.text(contact, N_("reporting contact"), max_chars=500, strip=True)
        checked_level(level, self._tx.policy.levels)
        v.one_of(channel, CHANNELS, N_("channel"))
        fields = (customer, system, title, level, channel, symptom, contact, assignee, at)
        if responded_at is None:
            if responded_via is not None:
                raise ValidationError("a response channel needs the response time")
            return self._log_fault_retrying(fields)
        how = channel if responded_via is None else responded_via
        v.one_of(how, RESPONSE_HOW, N_("response channel"))
        with self._tx.batch():  # one transaction: a refused response logs nothing either
            fault = self._log_fault_retrying(fields)
            return self.respond(
                fault.ref, version=fault.version, how=how, note=response_note, at=responded_at
            )

    def _log_fault_retrying(self, fields: tuple) -> FaultSummary:
        for attempt in range(_REF_RETRIES):
            try:
                return self._log_fault(*fields)
            except IntegrityError:  # two desks took the same number: take the next one
                if attempt == _REF_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _log_fault(self, customer, system, title, level, channel, symptom, contact, assignee, at):
        with self._tx.write() as s:
            self._tx.actor(s)
            cust = customer_row(s, customer)
            sys_row = s.exec(
                select(System).where(System.customer_id == cust.id, System.name == system)
            ).first()
            if sys_row is None:
                names = s.exec(select(System.name).where(System.customer_id == cust.id)).all()
                has = ", ".join(sorted(names)) or "none"
                raise NotFound(f"customer {cust.name!r} has no system {system!r} (it has: {has})")
            if assignee is not None:
                assignee = self._tx.engineer(s, assignee).os_user
            now = self._tx.now()
            when = self._tx.past(at, N_("the report time"), now)
            local = when.astimezone(self._tx.policy.timezone)
            year = local.year
            seq = self._next_number(s, year)
            # Logged all the same, marked: the archive and the report say so.
            out_of_warranty = warranty_ended(cust.warranty_end, local.date())
            data = {
                "customer": cust.name,
                "system": sys_row.name,
                "title": title,
                "level": level,
                "channel": channel,
                "symptom": symptom,
                "contact": contact,
                "assignee": assignee,
            }
            if out_of_warranty:
                data["out_of_warranty"] = True
            seen = self._tx.seen()
            history = h.fault_history([(h.LOG, when, data)])
            clocks = evaluate(self._tx.policy, history, now, thresholds=seen is not None)
            row = Fault(
                ref=new_fault_ref(year, seq),
                year=year,
                seq=seq,
                customer_id=cust.id,
                system_id=sys_row.id,
                title=title,
                symptom=symptom,
                level=level,
                channel=channel,
                contact=contact,
                reported_at=when,
                reported_by=self._tx.user,
                assignee=assignee,
                status="new",
                next_breach=clocks.next_breach,
                next_clock=clocks.next_clock,
                version=1,
                out_of_warranty=out_of_warranty,
            )
            s.add(row)
            s.flush()
            s.add(FaultRecordRow(fault_id=row.id))
            event_id = self._tx.event(s, h.LOG, data, at=when, now=now, fault_id=row.id)
            values = {name: getattr(row, name) for name in FAULT_COLUMNS}
            new = to_summary(values, cust.name, sys_row.name)
            if seen is not None:  # the view of ``Desk.changed``, from this transaction
                written = self._tx.written(event_id, new.ref, h.LOG, data, when, now)
                system = (sys_row.product, sys_row.model)
                seen[new.ref] = view_in(
                    s, new, row.id, symptom, system, [written], clocks, now,
                    out_of_warranty=out_of_warranty,
                )  # fmt: skip
            return new

    def _next_number(self, s: Session, year: int) -> int:
        """The year's next fault number; the counter row stays locked until the commit."""
        conn = s.connection()
        taken = conn.execute(
            update(COUNTERS)
            .where(COUNTERS.c.year == year)
            .values(last=COUNTERS.c.last + 1)
            .returning(COUNTERS.c.last)
        ).scalar()
        if taken is None:  # the year's first fault (a race here ends in a retry)
            conn.execute(insert(COUNTERS).values(year=year, last=1))
            taken = 1
        return taken

    def respond(
        self,
        ref: str,
        *,
        version: int | None,
        how: str,
        note: str = "",
        at: datetime | None = None,
    ) -> FaultSummary:
        """The first response to the customer (stops the respond clock)."""
        v.one_of(how, RESPONSE_HOW, N_("response channel"))
        note = v.text(note, N_("note"))

        def apply(tx: FaultTx) -> dict:
            f = tx.fault
            if f.responded_at is not None:
                raise InvalidTransition.of(
                    "already_responded", ref=f.ref, at=self._tx.show(f.responded_at)
                )
            tx.set(status="responded", responded_at=tx.at)
            return {"how": how, "note": note}

        return self._tx.fault_verb(h.RESPOND, apply, ref=ref, version=version, at=at)[0]

    def propose(
        self, ref: str, *, version: int | None, text: str, at: datetime | None = None
    ) -> FaultSummary:
        """A solution proposal given to the customer (the first stops the solution clock)."""
        text = v.text(text, N_("solution"), required=True)

        def apply(tx: FaultTx) -> dict:
            f = tx.fault
            self._require_open(f, N_("propose a solution for"))
            if f.status == "new":
                raise InvalidTransition.of("respond_first", ref=f.ref)
            if f.solution_at is None:
                tx.set(solution_at=tx.at)
            return {"text": text}

        return self._tx.fault_verb(h.SOLUTION, apply, ref=ref, version=version, at=at)[0]

    def assign(
        self,
        ref: str,
        engineer: str,
        *,
        version: int | None,
        note: str = "",
        at: datetime | None = None,
    ) -> FaultSummary:
        """Give the fault to one engineer, who owns it end to end."""
        note = v.text(note, N_("note"))

        def apply(tx: FaultTx) -> dict:
            f = tx.fault
            if f.status == "closed":
                raise InvalidTransition.of("closed_reopen_first", ref=f.ref)
            target = self._tx.engineer(tx.session, engineer)
            if f.assignee == target.os_user:
                raise InvalidTransition.of("already_assigned", ref=f.ref, user=target.os_user)
            tx.set(assignee=target.os_user)
            return {"from": f.assignee, "to": target.os_user, "note": note}

        return self._tx.fault_verb(h.ASSIGN, apply, ref=ref, version=version, at=at)[0]

    def escalate(
        self,
        ref: str,
        *,
        version: int | None,
        reason: str,
        to: str | None = None,
        at: datetime | None = None,
    ) -> FaultSummary:
        """Hand the fault to a more senior engineer (``to``; default: one step up).

        Without ``to``, the first of ``roster.more_senior``: an engineer on
        duty before one off duty, then the nearest seniority step up. Refused
        when nobody on the roster is more senior.
        """
        reason = v.text(reason, N_("reason"), required=True)

        def apply(tx: FaultTx) -> dict:
            f, s = tx.fault, tx.session
            self._require_open(f, N_("escalate"))
            if f.assignee is None:
                raise InvalidTransition.of("no_assignee", ref=f.ref)
            current = self._tx.engineer(s, f.assignee)
            rank = SENIORITIES.index(current.seniority)
            if to is not None:
                target = self._tx.engineer(s, to)
                if SENIORITIES.index(target.seniority) <= rank:
                    raise ValidationError.of(
                        "not_more_senior",
                        user=target.os_user,
                        seniority=target.seniority,
                        current=current.os_user,
                        current_seniority=current.seniority,
                    )
            else:
                roster = [engineer_info(e) for e in s.exec(select(Engineer)).all()]
                above = more_senior(roster, current.seniority)
                if not above:
                    raise InvalidTransition.of(
                        "nobody_more_senior",
                        current=current.os_user,
                        current_seniority=current.seniority,
                        ref=f.ref,
                    )
                target = self._tx.engineer(s, above[0].user)
            tx.set(assignee=target.os_user)
            return {
                "from": current.os_user,
                "to": target.os_user,
                "from_seniority": current.seniority,
                "to_seniority": target.seniority,
                "reason": reason,
            }

        return self._tx.fault_verb(h.ESCALATE, apply, ref=ref, version=version, at=at)[0]

    def pause(
        self, ref: str, *, version: int | None, reason: str, at: datetime | None = None
    ) -> FaultSummary:
        """Wait on the customer: the resolve clock pauses."""
        reason = v.text(reason, N_("reason"), required=True)

        def apply(tx: FaultTx) -> dict:
            f = tx.fault
            if f.status == "waiting":
                raise InvalidTransition.of("already_waiting", ref=f.ref)
            if f.status == "new":
                raise InvalidTransition.of("respond_first", ref=f.ref)
            self._require_open(f, N_("pause"))
            tx.set(status="waiting")
            return {"reason": reason}

        return self._tx.fault_verb(h.PAUSE, apply, ref=ref, version=version, at=at)[0]

    def resume(
        self, ref: str, *, version: int | None, note: str = "", at: datetime | None = None
    ) -> FaultSummary:
        """The customer answered: the paused clock runs again."""
        note = v.text(note, N_("note"))

        def apply(tx: FaultTx) -> dict:
            f = tx.fault
            if f.status != "waiting":
                raise InvalidTransition.of("not_waiting", ref=f.ref, status=status_word(f.status))
            tx.set(status="in_progress")
            return {"note": note}

        return self._tx.fault_verb(h.RESUME, apply, ref=ref, version=version, at=at)[0]

    def level(
        self,
        ref: str,
        level: int,
        *,
        version: int | None,
        reason: str,
        at: datetime | None = None,
    ) -> FaultSummary:
        """Change the fault's level; its deadlines are recomputed from the report time."""
        reason = v.text(reason, N_("reason"), required=True)
        checked_level(level, self._tx.policy.levels)

        def apply(tx: FaultTx) -> dict:
            f = tx.fault
            if f.status == "closed":
                raise InvalidTransition.of("closed_reopen_first", ref=f.ref)
            if f.level == level:
                raise InvalidTransition.of("already_level", ref=f.ref, level=level)
            tx.set(level=level)
            return {"from": f.level, "to": level, "reason": reason}

        return self._tx.fault_verb(h.LEVEL, apply, ref=ref, version=version, at=at)[0]

    def record(
        self,
        ref: str,
        *,
        version: int | None,
        symptom: str | None = None,
        diagnosis: str | None = None,
        handling: str | None = None,
        losses: str | None = None,
        changes: str | None = None,
        at: datetime | None = None,
    ) -> FaultSummary:
        """Fill the fault record (any field left None stays); allowed in every status."""
        given = {
            "symptom": symptom,
            "diagnosis": diagnosis,
            "handling": handling,
            "losses": losses,
            "changes": changes,
        }
        labels = {
            "symptom": N_("symptom"),
            "diagnosis": N_("diagnosis process"),
            "handling": N_("handling process"),
            "losses": N_("losses"),
            "changes": N_("changes made"),
        }
        given = {k: v.text(val, labels[k]) for k, val in given.items() if val is not None}

        def apply(tx: FaultTx) -> dict:
            f, s = tx.fault, tx.session
            record = s.get(FaultRecordRow, f.id) or FaultRecordRow(fault_id=f.id)
            current = {"symptom": f.symptom, **{k: getattr(record, k) for k in _RECORD_FIELDS}}
            changed = {k: val for k, val in given.items() if current[k] != val}
            if not changed:
                raise ValidationError.of("record_unchanged", ref=f.ref)
            if "symptom" in changed:
                tx.set(symptom=changed["symptom"])
            for k in _RECORD_FIELDS:
                if k in changed:
                    setattr(record, k, changed[k])
            s.add(record)
            return {"fields": changed}

        return self._tx.fault_verb(h.RECORD, apply, ref=ref, version=version, at=at)[0]

    def resolve(
        self, ref: str, *, version: int | None, summary: str, at: datetime | None = None
    ) -> FaultSummary:
        """The fault is fixed (stops the resolve clock; ends a wait on the customer)."""
        summary = v.text(summary, N_("resolution summary"), required=True)

        def apply(tx: FaultTx) -> dict:
            f = tx.fault
            if f.status in ("resolved", "closed"):
                raise InvalidTransition.of(
                    "already_status", ref=f.ref, status=status_word(f.status)
                )
            if f.responded_at is None:
                raise InvalidTransition.of("never_responded", ref=f.ref)
            tx.set(status="resolved", resolved_at=tx.at)
            return {"summary": summary}

        return self._tx.fault_verb(h.RESOLVE, apply, ref=ref, version=version, at=at)[0]

    def close(
        self, ref: str, *, version: int | None, note: str = "", at: datetime | None = None
    ) -> FaultSummary:
        """Close a resolved fault. Refused while work is open, on-site work unsigned, or
        the fault record lacks a field the policy requires for the fault's level."""
        note = v.text(note, N_("note"))

        def apply(tx: FaultTx) -> dict:
            f, s = tx.fault, tx.session
            if f.status == "closed":
                raise InvalidTransition.of("already_closed", ref=f.ref)
            if f.status != "resolved":
                raise InvalidTransition.of("not_resolved", ref=f.ref)
            work = s.exec(
                select(WorkEntryRow).where(WorkEntryRow.fault_id == f.id).order_by(WorkEntryRow.id)
            ).all()
            for row in work:
                if row.ended_at is None:
                    raise InvalidTransition.of(
                        "work_still_open", entry=row.id, mode=row.mode, user=row.engineer
                    )
            if self._tx.require_onsite_signoff:
                for row in work:
                    if row.mode == "onsite" and row.customer_signoff_at is None:
                        raise InvalidTransition.of(
                            "onsite_unsigned", entry=row.id, start=self._tx.show(row.started_at)
                        )
            required = self._tx.policy.required_record(f.level)
            if required:
                record = s.get(FaultRecordRow, f.id) or FaultRecordRow(fault_id=f.id)
                filled = {"symptom": f.symptom, **{k: getattr(record, k) for k in _RECORD_FIELDS}}
                missing = [k for k in required if not (filled[k] or "").strip()]
                if missing:
                    raise InvalidTransition.of(
                        "record_incomplete",
                        ref=f.ref,
                        fields=", ".join(RECORD_FIELD_NAMES[k] for k in missing),
                    )
            tx.set(status="closed", closed_at=tx.at)
            return {"note": note}

        return self._tx.fault_verb(h.CLOSE, apply, ref=ref, version=version, at=at)[0]

    def reopen(
        self, ref: str, *, version: int | None, reason: str, at: datetime | None = None
    ) -> FaultSummary:
        """A resolved or closed fault is back: in progress, its resolve clock restarted."""
        reason = v.text(reason, N_("reason"), required=True)

        def apply(tx: FaultTx) -> dict:
            f = tx.fault
            if f.status not in ("resolved", "closed"):
                raise InvalidTransition.of(
                    "not_resolved_or_closed", ref=f.ref, status=status_word(f.status)
                )
            tx.set(status="in_progress", resolved_at=None, closed_at=None)
            return {"reason": reason, "from": f.status}

        return self._tx.fault_verb(h.REOPEN, apply, ref=ref, version=version, at=at)[0]

    def _require_open(self, f: Row, what: str) -> None:
        if f.status in ("resolved", "closed"):
            raise InvalidTransition.of(
                "not_open", action=what, ref=f.ref, status=status_word(f.status)
            )
