"""``desk.roster``: the engineers (OS users) who may act, and who leads.

Roster changes are a lead's (``NotALead``), except the first engineer put on an
empty roster (whoever sets the desk up), who becomes its lead; the roster
always keeps at least one lead. Each verb returns the engineer as it is now.
Whom to turn to (escalation, the assign list) is ``oncall.desk.roster``.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from oncall.i18n import N_
from oncall.store.models import Engineer

from . import history as h
from . import validate as v
from .convert import engineer_data, engineer_info
from .errors import ClaimRefused, UnknownEngineer, ValidationError
from .roster import rank
from .tx import Tx
from .views import SENIORITIES, EngineerInfo


class Roster:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def add(
        self,
        user: str,
        name: str,
        seniority: str = "engineer",
        phone: str = "",
        on_duty: bool = False,
        lead: bool = False,
    ) -> EngineerInfo:
        """Put an OS user on the roster: a lead's verb, except the first engineer
        on an empty roster (whoever sets the desk up), who becomes its lead."""
        tx = self._tx
        user = v.user_name(user)
        name = v.text(name, N_("name"), required=True, max_chars=200, strip=True)
        v.one_of(seniority, SENIORITIES, N_("seniority"))
        phone = v.text(phone, N_("phone"), max_chars=64, strip=True)
        with tx.write() as s:
            first = s.exec(select(Engineer.os_user).limit(1)).first() is None
            if first:
                if tx.claimed:  # nobody is a lead yet, so nobody may claim
                    raise ClaimRefused(tx.real_user, tx.user)
            else:
                tx.lead(s, "adding an engineer")
            if s.get(Engineer, user) is not None:
                raise ValidationError(f"{user!r} is already on the roster")
            now = tx.now()
            row = Engineer(
                os_user=user,
                name=name,
                seniority=seniority,
                phone=phone,
                on_duty=bool(on_duty),
                lead=bool(lead) or first,
                created_at=now,
            )
            s.add(row)
            tx.event(s, h.ENGINEER_ADD, engineer_data(row), at=now, now=now)
            return engineer_info(row)

    def update(
        self,
        user: str,
        *,
        name: str | None = None,
        seniority: str | None = None,
        phone: str | None = None,
        on_duty: bool | None = None,
        lead: bool | None = None,
    ) -> EngineerInfo:
        """Change an engineer's name, seniority, phone, duty flag or lead role (a lead's
        verb; the roster always keeps at least one lead)."""
        tx = self._tx
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = v.text(name, N_("name"), required=True, max_chars=200, strip=True)
        if seniority is not None:
            changes["seniority"] = v.one_of(seniority, SENIORITIES, N_("seniority"))
        if phone is not None:
            changes["phone"] = v.text(phone, N_("phone"), max_chars=64, strip=True)
        if on_duty is not None:
            changes["on_duty"] = bool(on_duty)
        if lead is not None:
            changes["lead"] = bool(lead)
        with tx.write() as s:
            tx.lead(s, "changing the roster")
            row = tx.engineer(s, user)
            before = {k: getattr(row, k) for k in changes if getattr(row, k) != changes[k]}
            if not before:
                return engineer_info(row)
            if before.get("lead"):  # taking a lead's role away
                # Locks the leads' rows, so two leads cannot drop each other at once.
                leads = s.exec(
                    select(Engineer.os_user).where(Engineer.lead.is_(True)).with_for_update()
                ).all()
                if set(leads) <= {row.os_user}:
                    raise ValidationError(
                        f"{row.os_user!r} is the roster's last lead: make another lead first"
                    )
            for key in before:
                setattr(row, key, changes[key])
            if "lead" in before:
                tx.shared.leads_seen.clear()
            now = tx.now()
            after = {k: changes[k] for k in before}
            tx.event(
                s,
                h.ENGINEER_EDIT,
                {"user": row.os_user, "before": before, "after": after},
                at=now,
                now=now,
            )
            return engineer_info(row)

    def set_on_duty(self, user: str, on_duty: bool) -> EngineerInfo:
        """Mark an engineer on or off duty (``update`` with ``on_duty``)."""
        return self.update(user, on_duty=on_duty)

    def set_lead(self, user: str, lead: bool) -> EngineerInfo:
        """Make an engineer a roster lead, or not (never the last one)."""
        return self.update(user, lead=lead)

    def all(self) -> list[EngineerInfo]:
        """The roster, most senior first, then by name."""
        with self._tx.read() as s:
            rows = s.exec(select(Engineer)).all()
        rows = sorted(rows, key=lambda e: (-rank(e.seniority), e.name, e.os_user))
        return [engineer_info(r) for r in rows]

    def get(self, user: str) -> EngineerInfo:
        """One engineer (``UnknownEngineer`` when not on the roster)."""
        with self._tx.read() as s:
            return engineer_info(self._tx.engineer(s, user))

    def me(self) -> EngineerInfo:
        """The acting engineer's roster entry; ``UnknownEngineer`` tells how to be added,
        ``ClaimRefused`` that the real user may not act on their behalf."""
        tx = self._tx
        with tx.read() as s:
            if tx.claimed:
                tx.check_claim(s)
            row = s.get(Engineer, tx.user)
        if row is None:
            raise UnknownEngineer(tx.user, acting=True)
        return engineer_info(row)
