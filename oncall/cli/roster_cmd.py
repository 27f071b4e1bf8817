"""``oncall engineer`` and ``oncall customer``: the roster and the customer archive."""

from __future__ import annotations

import argparse
from datetime import date

from ..text import printable, table
from ..vocabulary import SENIORITIES
from .common import CliError
from .context import Ctx, command
from .output import emit


def register(commands: argparse._SubParsersAction) -> None:
    engineer = commands.add_parser("engineer", help="the engineers' roster (OS users)")
    sub = engineer.add_subparsers(
        dest="engineer_command", metavar="ENGINEER_COMMAND", required=True
    )

    add = command(sub, "add", _engineer_add, "put an engineer (an OS user) on the roster")
    add.add_argument("user", metavar="USER", help="the engineer's OS user name")
    add.add_argument("--name", required=True, help="full name")
    add.add_argument("--seniority", choices=SENIORITIES, required=True)
    add.add_argument("--phone", default="", help="phone number for alerts and call-outs")
    add.add_argument("--off-duty", action="store_true", help="add the engineer as off duty")
    add.add_argument(
        "--lead", action="store_true", help="a roster lead (changes the roster, may act for others)"
    )
    add.add_argument("--json", action="store_true")

    lst = command(sub, "list", _engineer_list, "the roster")
    lst.add_argument("--json", action="store_true")

    duty = command(sub, "duty", _engineer_duty, "put an engineer on or off duty")
    duty.add_argument("user", metavar="USER")
    duty.add_argument("state", choices=("on", "off"))
    duty.add_argument("--json", action="store_true")

    lead = command(sub, "lead", _engineer_lead, "make an engineer a roster lead, or not")
    lead.add_argument("user", metavar="USER")
    lead.add_argument("state", choices=("on", "off"))
    lead.add_argument("--json", action="store_true")

    rank = command(sub, "seniority", _engineer_seniority, "change an engineer's seniority")
    rank.add_argument("user", metavar="USER")
    rank.add_argument("seniority", choices=SENIORITIES)
    rank.add_argument("--json", action="store_true")

    customer = commands.add_parser("customer", help="the customer archive")
    sub = customer.add_subparsers(
        dest="customer_command", metavar="CUSTOMER_COMMAND", required=True
    )

    add = command(sub, "add", _customer_add, "add a customer with its systems and contacts")
    add.add_argument("name", metavar="NAME")
    add.add_argument(
        "--system",
        action="append",
        default=[],
        metavar="NAME[:PRODUCT[:MODEL]]",
        help="a system the contract covers (repeat for more)",
    )
    add.add_argument(
        "--warranty-start", metavar="DATE", help="YYYY-MM-DD, the date of final acceptance"
    )
    add.add_argument("--warranty-end", metavar="DATE", help="YYYY-MM-DD")
    add.add_argument("--tier", default="standard", help="service tier (default: standard)")
    add.add_argument(
        "--contact",
        action="append",
        default=[],
        metavar="NAME[:PHONE[:EMAIL]]",
        help="a contact at the customer (repeat for more)",
    )
    add.add_argument("--json", action="store_true")

    lst = command(sub, "list", _customer_list, "the customers, their systems and warranty")
    lst.add_argument("--json", action="store_true")

    system = command(sub, "add-system", _customer_add_system, "add a system to a customer")
    system.add_argument("customer", metavar="CUSTOMER", help="the customer's name")
    system.add_argument("system", metavar="NAME[:PRODUCT[:MODEL]]", help="the new system")
    system.add_argument("--json", action="store_true")

    from . import customer_archive

    customer_archive.register(sub)  # show, edit


# -- engineers ------------------------------------------------------------------------------


def _engineer_add(args: argparse.Namespace, ctx: Ctx) -> int:
    if not args.user.strip():
        raise CliError("USER cannot be empty")
    desk = ctx.desk()
    info = desk.roster.add(
        args.user.strip(),
        args.name,
        args.seniority,
        phone=args.phone,
        on_duty=not args.off_duty,
        lead=args.lead,
    )
    if args.json:
        emit(info, ctx.tz)
        return 0
    duty = "on duty" if info.on_duty else "off duty"
    role = ", a lead" if info.lead else ""
    print(
        f"Engineer {printable(info.user)} ({printable(info.name)}, {info.seniority}{role}) "
        f"is on the roster, {duty}"
    )
    return 0


def _engineer_list(args: argparse.Namespace, ctx: Ctx) -> int:
    engineers = ctx.desk().roster.all()
    if args.json:
        emit(engineers, ctx.tz)
        return 0
    if not engineers:
        print("No engineers yet: oncall engineer add USER --name NAME --seniority engineer")
        return 0
    me = ctx.user
    rows = [
        [
            e.user + (" *" if e.user == me else ""),
            e.name,
            e.seniority,
            e.phone or "-",
            "on" if e.on_duty else "off",
            "lead" if e.lead else "",
        ]
        for e in engineers
    ]
    print(table(["user", "name", "seniority", "phone", "duty", "role"], rows))
    return 0


def _engineer_duty(args: argparse.Namespace, ctx: Ctx) -> int:
    info = ctx.desk().roster.set_on_duty(args.user, args.state == "on")
    if args.json:
        emit(info, ctx.tz)
        return 0
    print(f"{printable(info.user)} is now {'on' if info.on_duty else 'off'} duty")
    return 0


def _engineer_lead(args: argparse.Namespace, ctx: Ctx) -> int:
    info = ctx.desk().roster.set_lead(args.user, args.state == "on")
    if args.json:
        emit(info, ctx.tz)
        return 0
    print(f"{printable(info.user)} is {'now' if info.lead else 'no longer'} a roster lead")
    return 0


def _engineer_seniority(args: argparse.Namespace, ctx: Ctx) -> int:
    info = ctx.desk().roster.update(args.user, seniority=args.seniority)
    if args.json:
        emit(info, ctx.tz)
        return 0
    print(f"{printable(info.user)} is now {info.seniority}")
    return 0


# -- customers ------------------------------------------------------------------------------


def _day(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"{what}: cannot read {text!r} as a date; use YYYY-MM-DD") from None


def _systems(values: list[str], option: str = "--system"):
    from ..desk import SystemInfo

    systems = []
    for value in values:
        parts = [p.strip() for p in value.split(":", 2)]
        if not parts[0]:
            raise CliError(f"{option} {value!r}: the system needs a name (NAME[:PRODUCT[:MODEL]])")
        parts += [""] * (3 - len(parts))
        systems.append(SystemInfo(parts[0], parts[1], parts[2]))
    return systems


def _contacts(values: list[str]):
    from ..desk import ContactInfo

    contacts = []
    for value in values:
        parts = [p.strip() for p in value.split(":", 2)]
        if not parts[0]:
            raise CliError(f"--contact {value!r}: the contact needs a name (NAME[:PHONE[:EMAIL]])")
        parts += [""] * (3 - len(parts))
        contacts.append(ContactInfo(parts[0], phone=parts[1], email=parts[2]))
    return contacts


def _customer_add(args: argparse.Namespace, ctx: Ctx) -> int:
    if not args.name.strip():
        raise CliError("NAME cannot be empty")
    start = _day(args.warranty_start, "--warranty-start")
    end = _day(args.warranty_end, "--warranty-end")
    if start and end and end < start:
        raise CliError("--warranty-end comes before --warranty-start")
    systems = _systems(args.system)
    contacts = _contacts(args.contact)
    info = ctx.desk().customers.add(
        args.name.strip(),
        systems=systems,
        warranty_start=start,
        warranty_end=end,
        tier=args.tier,
        contacts=contacts,
    )
    if args.json:
        emit(info, ctx.tz)
        return 0
    names = ", ".join(printable(s.name) for s in info.systems) or "no systems yet"
    print(f"Customer {printable(info.name)} ({printable(info.tier)}) added: {names}")
    return 0


def _customer_add_system(args: argparse.Namespace, ctx: Ctx) -> int:
    (system,) = _systems([args.system], "SYSTEM")
    info = ctx.desk().customers.add_system(args.customer, system)
    if args.json:
        emit(info, ctx.tz)
        return 0
    names = ", ".join(printable(s.name) for s in info.systems)
    print(f"Customer {printable(info.name)}: system {printable(system.name)} added ({names})")
    return 0


def _customer_list(args: argparse.Namespace, ctx: Ctx) -> int:
    customers = ctx.desk().customers.all()
    if args.json:
        emit(customers, ctx.tz)
        return 0
    if not customers:
        print("No customers yet: oncall customer add NAME --system SYSTEM")
        return 0
    today = ctx.now().astimezone(ctx.tz).date()
    rows = []
    for c in customers:
        if c.warranty_start is None and c.warranty_end is None:
            warranty = "-"
        else:
            span = f"{c.warranty_start or '?'}..{c.warranty_end or '?'}"
            warranty = f"{span} ({'in' if c.in_warranty(today) else 'out of'} warranty)"
        systems = ", ".join(
            s.name
            + (
                f" ({' '.join(x for x in (s.product, s.model) if x)})"
                if s.product or s.model
                else ""
            )
            for s in c.systems
        )
        contacts = ", ".join(k.name + (f" {k.phone}" if k.phone else "") for k in c.contacts)
        rows.append([c.name, c.tier, warranty, systems or "-", contacts or "-"])
    print(table(["customer", "tier", "warranty", "systems", "contacts"], rows))
    return 0
