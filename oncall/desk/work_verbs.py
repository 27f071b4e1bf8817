"""``desk.work``: the steps of work on a fault (phone, remote, on site, internal).

Work entries are named by their id; ``version`` is the fault's (the
``FaultSummary.version``, or a ``WorkEntry.fault_version``, the caller saw).
Each verb is one fault transaction (``Tx.fault_verb``: audited, the fault's
clocks recomputed) and returns what changed: the ``WorkEntry`` as it is now,
whose ``fault_version`` is the fault's new version. Remote and on-site work
start the contract's further clocks from the entry's start; a signed-off
on-site entry is final.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row

from oncall.i18n import N_
from oncall.store.models import WorkEntryRow

from . import history as h
from . import validate as v
from .convert import WORK_KEYS, jsonable, work_entry
from .errors import InvalidTransition, ValidationError
from .tx import FaultTx, Tx
from .views import MODES, WorkEntry


class Work:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def add(
        self,
        ref: str,
        *,
        version: int | None,
        mode: str,
        start: datetime | None = None,
        end: datetime | None = None,
        engineer: str | None = None,
        done: str = "",
        result: str = "",
        at: datetime | None = None,
    ) -> WorkEntry:
        """Log a step of work (``start`` defaults to ``at``; ``end`` None while it goes on).

        Remote and on-site work start the contract's further clocks from ``start``.
        """
        v.one_of(mode, MODES, N_("work mode"))
        done = v.text(done, N_("what was done"))
        result = v.text(result, N_("result"))

        def apply(tx: FaultTx) -> dict:
            f = tx.fault
            if f.status == "closed":
                raise InvalidTransition.of("closed_reopen_first", ref=f.ref)
            who = self._tx.engineer(tx.session, engineer or self._tx.user).os_user
            begin, finish = self._work_span(f, start or tx.at, end, tx.now)
            row = WorkEntryRow(
                fault_id=f.id,
                mode=mode,
                started_at=begin,
                ended_at=finish,
                engineer=who,
                done=done,
                result=result,
            )
            tx.session.add(row)
            tx.session.flush()
            tx.entry = row
            if f.status == "responded":
                tx.set(status="in_progress")
            return {
                "entry": row.id,
                "mode": mode,
                "start": h.iso(begin),
                "end": h.iso(finish),
                "engineer": who,
                "done": done,
                "result": result,
            }

        return self._entry_verb(h.WORK_ADD, apply, ref=ref, version=version, at=at)

    def _entry_verb(self, verb: str, apply, **where) -> WorkEntry:
        """Run a work verb in the fault verb's transaction: the entry as it left it,
        with the fault's new version."""
        summary, tx = self._tx.fault_verb(verb, apply, **where)
        return work_entry(tx.entry, summary.ref, summary.version)

    def _work_span(
        self, f: Row, start: datetime, end: datetime | None, now: datetime
    ) -> tuple[datetime, datetime | None]:
        begin = self._tx.past(start, N_("the work's start"), now)
        if begin < f.reported_at:
            raise ValidationError.of(
                "work_start_before_report",
                at=self._tx.show(begin),
                ref=f.ref,
                reported=self._tx.show(f.reported_at),
            )
        finish = None
        if end is not None:
            finish = self._tx.past(end, N_("the work's end"), now)
            if finish < begin:
                raise ValidationError.of(
                    "work_end_before_start", end=self._tx.show(finish), start=self._tx.show(begin)
                )
        return begin, finish

    def edit(
        self,
        entry_id: int,
        *,
        version: int | None,
        mode: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        engineer: str | None = None,
        done: str | None = None,
        result: str | None = None,
        at: datetime | None = None,
    ) -> WorkEntry:
        """Correct a work entry (``version`` is the fault's). A signed-off entry is final."""
        if mode is not None:
            v.one_of(mode, MODES, N_("work mode"))
        if done is not None:
            done = v.text(done, N_("what was done"))
        if result is not None:
            result = v.text(result, N_("result"))

        def apply(tx: FaultTx) -> dict:
            f, row = tx.fault, tx.entry
            if f.status == "closed":
                raise InvalidTransition.of("closed_reopen_first", ref=f.ref)
            if row.customer_signoff_at is not None:
                raise InvalidTransition.of("work_signed_off", entry=row.id)
            begin, finish = self._work_span(
                f, start or row.started_at, end if end is not None else row.ended_at, tx.now
            )
            wanted = {
                "mode": mode if mode is not None else row.mode,
                "started_at": begin,
                "ended_at": finish,
                "engineer": self._tx.engineer(tx.session, engineer).os_user
                if engineer is not None
                else row.engineer,
                "done": done if done is not None else row.done,
                "result": result if result is not None else row.result,
            }
            changed = {k: val for k, val in wanted.items() if getattr(row, k) != val}
            if not changed:
                raise ValidationError.of("work_unchanged", entry=row.id)
            before = {WORK_KEYS[k]: jsonable(getattr(row, k)) for k in changed}
            after = {WORK_KEYS[k]: jsonable(val) for k, val in changed.items()}
            for k, val in changed.items():
                setattr(row, k, val)
            return {"entry": row.id, "before": before, "after": after}

        return self._entry_verb(h.WORK_EDIT, apply, entry_id=entry_id, version=version, at=at)

    def end(
        self,
        entry_id: int,
        *,
        version: int | None,
        end: datetime | None = None,
        result: str | None = None,
        at: datetime | None = None,
    ) -> WorkEntry:
        """End a work entry that is still going on (``end`` defaults to ``at``)."""
        if result is not None:
            result = v.text(result, N_("result"))

        def apply(tx: FaultTx) -> dict:
            f, row = tx.fault, tx.entry
            if f.status == "closed":
                raise InvalidTransition.of("closed_reopen_first", ref=f.ref)
            if row.ended_at is not None:
                raise InvalidTransition.of(
                    "work_already_ended", entry=row.id, at=self._tx.show(row.ended_at)
                )
            _, finish = self._work_span(f, row.started_at, end or tx.at, tx.now)
            row.ended_at = finish
            if result is not None:
                row.result = result
            return {"entry": row.id, "end": h.iso(finish), "result": result}

        return self._entry_verb(h.WORK_END, apply, entry_id=entry_id, version=version, at=at)

    def sign_off(
        self,
        entry_id: int,
        *,
        version: int | None,
        customer_rep: str,
        engineer: str | None = None,
        end: datetime | None = None,
        at: datetime | None = None,
    ) -> WorkEntry:
        """The on-site service report signed by the customer's representative and the engineer.

        ``engineer`` defaults to the one who did the work. The sign-off makes
        the entry final, so it fixes the work's end: ``end`` if given (never
        before the work's start nor in the future), else the entry's own end,
        else the sign-off's time (now unless ``at`` says otherwise). The event
        says which end it stored (``ended``, and ``ended_was`` when it replaced one).
        """
        customer_rep = v.text(
            customer_rep, N_("customer representative"), required=True, max_chars=200, strip=True
        )

        def apply(tx: FaultTx) -> dict:
            f, row = tx.fault, tx.entry
            if f.status == "closed":
                raise InvalidTransition.of("closed_reopen_first", ref=f.ref)
            if row.mode != "onsite":
                raise InvalidTransition.of("signoff_not_onsite", entry=row.id, mode=row.mode)
            if row.customer_signoff_at is not None:
                raise InvalidTransition.of(
                    "already_signed_off",
                    entry=row.id,
                    name=row.customer_signoff_name,
                    at=self._tx.show(row.customer_signoff_at),
                )
            if tx.at < row.started_at:
                raise ValidationError.of(
                    "signoff_before_work",
                    at=self._tx.show(tx.at),
                    start=self._tx.show(row.started_at),
                )
            signer = self._tx.engineer(tx.session, engineer or row.engineer).os_user
            _, finish = self._work_span(f, row.started_at, end or row.ended_at or tx.at, tx.now)
            was = row.ended_at
            row.customer_signoff_name = customer_rep
            row.customer_signoff_at = tx.at
            row.engineer_signoff = signer
            row.engineer_signoff_at = tx.at
            row.ended_at = finish
            if f.signed_off_at is None or f.signed_off_at < tx.at:
                tx.set(signed_off_at=tx.at)
            return {
                "entry": row.id,
                "customer_rep": customer_rep,
                "engineer": signer,
                "ended": h.iso(finish) if finish != was else None,
                "ended_was": h.iso(was) if was is not None and finish != was else None,
            }

        return self._entry_verb(h.SIGN_OFF, apply, entry_id=entry_id, version=version, at=at)
