"""``desk.customers``: the customer archive (customers, their systems, their contacts).

A roster engineer's verbs; each returns the customer as it is now.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from oncall.i18n import N_
from oncall.store.models import Contact, Customer, System

from . import history as h
from . import validate as v
from .convert import checked_contact, checked_system, customer_info
from .errors import DeskError, NotFound, ValidationError
from .tx import Tx
from .views import ContactInfo, CustomerInfo, SystemInfo


def customer_row(s: Session, name: str) -> Customer:
    """The customer named ``name`` (``NotFound`` says how to list them)."""
    row = s.exec(select(Customer).where(Customer.name == name)).first()
    if row is None:
        raise NotFound(f"no customer {name!r} (see `oncall customer list`)")
    return row


def customer_parts(s: Session, name: str) -> tuple[Customer, list[System], list[Contact]]:
    """A customer's row, its systems (by name) and its contacts (as entered); ``NotFound``."""
    row = customer_row(s, name)
    systems = s.exec(select(System).where(System.customer_id == row.id).order_by(System.name))
    contacts = s.exec(select(Contact).where(Contact.customer_id == row.id).order_by(Contact.id))
    return row, list(systems), list(contacts)


def _system_taken(customer: str, system: str) -> DeskError:
    return ValidationError.of("system_taken", customer=repr(customer), system=repr(system))


class Customers:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def add(
        self,
        name: str,
        systems: Sequence[SystemInfo] = (),
        warranty_start: date | None = None,
        warranty_end: date | None = None,
        tier: str = "standard",
        contacts: Sequence[ContactInfo] = (),
    ) -> CustomerInfo:
        """Open a customer's archive with its systems and contacts."""
        tx = self._tx
        name = v.text(name, N_("customer name"), required=True, max_chars=200, strip=True)
        tier = v.text(tier, N_("service tier"), required=True, max_chars=64, strip=True)
        for day, what in ((warranty_start, "warranty start"), (warranty_end, "warranty end")):
            if day is not None and (not isinstance(day, date) or isinstance(day, datetime)):
                raise ValidationError(f"{what} must be a date, not {type(day).__name__}")
        if warranty_start and warranty_end and warranty_end < warranty_start:
            raise ValidationError(
                f"warranty end {warranty_end} is before its start {warranty_start}"
            )
        systems = [checked_system(x) for x in systems]
        names = [x.name for x in systems]
        if len(set(names)) != len(names):
            raise ValidationError(f"customer {name!r} lists a system twice")
        contacts = [checked_contact(c) for c in contacts]
        try:
            with tx.write() as s:
                tx.actor(s)
                if s.exec(select(Customer.id).where(Customer.name == name)).first() is not None:
                    raise ValidationError(f"customer {name!r} already exists")
                now = tx.now()
                row = Customer(
                    name=name,
                    tier=tier,
                    warranty_start=warranty_start,
                    warranty_end=warranty_end,
                    created_at=now,
                )
                s.add(row)
                s.flush()
                for x in systems:
                    s.add(System(customer_id=row.id, name=x.name, product=x.product, model=x.model))
                for c in contacts:
                    s.add(
                        Contact(
                            customer_id=row.id,
                            name=c.name,
                            phone=c.phone,
                            email=c.email,
                            role=c.role,
                        )
                    )
                data = {
                    "name": name,
                    "tier": tier,
                    "warranty_start": warranty_start.isoformat() if warranty_start else None,
                    "warranty_end": warranty_end.isoformat() if warranty_end else None,
                    "systems": [[x.name, x.product, x.model] for x in systems],
                    "contacts": [[c.name, c.phone, c.email, c.role] for c in contacts],
                }
                tx.event(s, h.CUSTOMER_ADD, data, at=now, now=now)
        except IntegrityError:
            raise ValidationError(f"customer {name!r} already exists") from None
        return self.get(name)

    def add_system(self, customer: str, system: SystemInfo) -> CustomerInfo:
        """Add a system to a customer's archive."""
        tx = self._tx
        system = checked_system(system)
        try:
            with tx.write() as s:
                tx.actor(s)
                row = customer_row(s, customer)
                taken = s.exec(
                    select(System.id).where(
                        System.customer_id == row.id, System.name == system.name
                    )
                ).first()
                if taken is not None:
                    raise _system_taken(row.name, system.name)
                s.add(
                    System(
                        customer_id=row.id,
                        name=system.name,
                        product=system.product,
                        model=system.model,
                    )
                )
                now = tx.now()
                tx.event(
                    s,
                    h.SYSTEM_ADD,
                    {"customer": row.name, "system": [system.name, system.product, system.model]},
                    at=now,
                    now=now,
                )
        except IntegrityError:  # another desk added it meanwhile
            raise _system_taken(customer, system.name) from None
        return self.get(customer)

    def edit(
        self,
        name: str,
        *,
        tier: str | None = None,
        warranty_start: date | None | object = ...,
        warranty_end: date | None | object = ...,
        requirements: str | None = None,
        usage_notes: str | None = None,
    ) -> CustomerInfo:
        """Change a customer's archive fields (those given; ``...``/``None``: unchanged,
        but a warranty date given as ``None`` is cleared). One audit event naming what
        changed, from and to; nothing changed is refused."""
        tx = self._tx
        wanted: dict[str, object] = {}
        if tier is not None:
            wanted["tier"] = v.text(tier, N_("service tier"), required=True, max_chars=64,
                                    strip=True)  # fmt: skip
        for key, day in (("warranty_start", warranty_start), ("warranty_end", warranty_end)):
            if day is ...:
                continue
            if day is not None and (not isinstance(day, date) or isinstance(day, datetime)):
                raise ValidationError(f"{key.replace('_', ' ')} must be a date")
            wanted[key] = day
        if requirements is not None:
            wanted["requirements"] = v.text(requirements, N_("requirements"))
        if usage_notes is not None:
            wanted["usage_notes"] = v.text(usage_notes, N_("usage notes"))
        with tx.write() as s:
            tx.actor(s)
            row = customer_row(s, name)
            start = wanted.get("warranty_start", row.warranty_start)
            end = wanted.get("warranty_end", row.warranty_end)
            if start and end and end < start:  # type: ignore[operator]
                raise ValidationError(f"warranty end {end} is before its start {start}")
            changed = {k: x for k, x in wanted.items() if getattr(row, k) != x}
            if not changed:
                raise ValidationError(f"customer {row.name!r}: nothing to change")

            def shown(x: object) -> object:
                return x.isoformat() if isinstance(x, date) else x

            data = {
                "customer": row.name,
                "changed": {k: [shown(getattr(row, k)), shown(x)] for k, x in changed.items()},
            }
            for k, x in changed.items():
                setattr(row, k, x)
            s.add(row)
            now = tx.now()
            tx.event(s, h.CUSTOMER_EDIT, data, at=now, now=now)
        return self.get(name)

    def archive(self, name: str):
        """The customer's archive with its service history (``CustomerArchive``)."""
        from .customer_archive import read_archive

        return read_archive(self._tx, name)

    def all(self) -> list[CustomerInfo]:
        """Every customer with its systems and contacts, by name."""
        with self._tx.read() as s:
            customers = s.exec(select(Customer).order_by(Customer.name)).all()
            systems = s.exec(select(System).order_by(System.name)).all()
            contacts = s.exec(select(Contact).order_by(Contact.id)).all()
        return [customer_info(c, systems, contacts) for c in customers]

    def get(self, name: str) -> CustomerInfo:
        """One customer with its systems and contacts (``NotFound``)."""
        with self._tx.read() as s:
            row, systems, contacts = customer_parts(s, name)
        return customer_info(row, systems, contacts)
