"""Demo data: a believable desk, made by the verbs' rules, written in one go.

``load_demo(desk)`` fills an empty database with customers and systems
(Chinese and English names), a roster, about 40 open faults spread over every
level, status and urgency band (some already breached), a few resolved ones
awaiting the customer's sign-off, and a few hundred closed faults over the past
months with their work entries, records and audit trails. The roster and the
customers are added by the desk's verbs; every fault's life is told as the
verbs an engineer would use, back-dated with ``at=``, and recorded by
``demo_writer.DemoWriter`` exactly as those verbs would leave it (rows, events,
cached deadlines), then written in bulk: about 0.5 s instead of 5 to 50 s.
``through_verbs=True`` runs the same story through the desk's verbs one by one
(the reference the tests compare the fast path with).

The same seed and the same ``desk.clock.now()`` give the same data.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, func, select

from oncall.sla import Band, ServiceWindow
from oncall.store.models import AuditEvent, Customer, Fault, WorkEntryRow

from .core import Desk
from .demo_data import CUSTOMERS, LEADS, ROSTER, STORIES
from .demo_writer import DemoWriter, read_state
from .errors import DeskError
from .queue import desk_now
from .views import OPEN_STATUSES, STATUSES, ContactInfo, SystemInfo

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

BAND_SHARE = {  # share of the primary clock's target used by now
    Band.OK: (0.15, 0.6),
    Band.WARNING: (0.77, 0.87),
    Band.CRITICAL: (0.91, 0.97),
    Band.BREACHED: (1.1, 2.5),
}
BANDS = (Band.OK, Band.WARNING, Band.CRITICAL, Band.BREACHED)

# The stages ``progress`` is told of, in order, with what they do.
STAGES = {
    "people": "the roster and the customers",
    "faults": "the faults: their work, events and clocks",
    "write": "writing them",
    "tally": "counting what was written",
}


@dataclass
class DemoSummary:
    customers: int = 0
    systems: int = 0
    engineers: int = 0
    faults: int = 0
    open_faults: int = 0
    resolved_faults: int = 0
    closed_faults: int = 0
    work_entries: int = 0
    events: int = 0
    seconds: float = 0.0
    by_level: dict[int, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_band: dict[str, int] = field(default_factory=dict)  # of the open queue, at now


def load_demo(
    desk: Desk,
    *,
    seed: int = 42,
    open_faults: int = 40,
    resolved_faults: int = 4,
    closed_faults: int = 300,
    months: int = 6,
    progress: Callable[[str], Any] | None = None,
    through_verbs: bool = False,
) -> DemoSummary:
    """Fill an empty database with demo data; refused if it already has customers.

    The acting OS user (``desk.user``) is put on the roster too (as a senior
    engineer on duty) when missing, so the console opens as someone who may act.
    ``progress(stage)`` is called as each of ``STAGES`` begins. All of it is one
    transaction: other processes see nothing until it is all there.
    """
    started = time.perf_counter()
    say = progress or (lambda stage: None)
    with Session(desk.engine) as s:
        if s.exec(select(func.count()).select_from(Customer)).one():
            raise DeskError("the database already has customers: load the demo into an empty one")
    now = desk.clock.now()
    gen = _Generator(desk, random.Random(seed), now.replace(microsecond=0))
    with desk.batch():
        say("people")
        gen.roster()
        gen.customers()
        writer = None
        if not through_verbs:
            with desk._tx.write() as s:  # the batch's transaction
                systems, counters = read_state(s.connection())
            roster = desk.roster.all()
            writer = DemoWriter(
                desk.policy, desk_now(now), systems, roster, counters, real_user=desk.real_user
            )
            gen.acting = writer.as_user
        say("faults")
        horizon = gen.now - months * 30 * DAY
        reported = sorted(
            horizon + (gen.now - 3 * DAY - horizon) * gen.rng.random() for _ in range(closed_faults)
        )
        for at in reported:
            gen.closed_fault(at)
        for i in range(resolved_faults):
            gen.resolved_fault(i)
        for i in range(open_faults):
            level = i % 4
            status = OPEN_STATUSES[(i // 4) % 4]
            band = BANDS[(i + i // 4 + i // 16) % 4]
            gen.open_fault(level, status, band)
        if writer is not None:
            say("write")
            with desk._tx.write() as s:
                writer.write(s.connection())
    say("tally")
    return gen.summary(started)


class _Generator:
    """The demo's stories, told as verbs to ``acting(user)``: the desk's, or the writer's."""

    def __init__(self, desk: Desk, rng: random.Random, now: datetime) -> None:
        self.desk = desk
        self.rng = rng
        self.now = now
        self.policy = desk.policy
        # Whoever loads the demo writes on the engineers' behalf: the audit keeps both.
        self.acting: Callable[[str], Any] = desk.claim
        self._actors: dict[str, Any] = {}
        self.systems: list[tuple[str, str, str]] = []  # (customer, system, contact)

    # -- helpers ------------------------------------------------------------------------

    def as_(self, user: str):
        if user not in self._actors:
            self._actors[user] = self.acting(user)
        return self._actors[user]

    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def juniors(self) -> list[str]:
        return [u for u, _, s, _, _ in ROSTER if s == "engineer"]

    def back_off(self, window: ServiceWindow, end: datetime, seconds: float) -> datetime:
        """The instant from which ``window`` holds ``seconds`` of service time up to ``end``."""
        low, high = end - 120 * DAY, end
        for _ in range(40):
            mid = low + (high - low) / 2
            if window.between(mid, end) > seconds:
                low = mid
            else:
                high = mid
        return high.replace(microsecond=0)

    # -- people and customers -------------------------------------------------------

    def roster(self) -> None:
        """Whoever loads the demo goes on the roster first, so is its lead (the demo
        writes on the engineers' behalf), then the demo's engineers."""
        me = self.desk.user
        mine = [r for r in ROSTER if r[0] == me] or [(me, me, "senior", "", True)]
        try:
            self.desk.roster.me()
        except DeskError:
            user, name, seniority, phone, on_duty = mine[0]
            self.desk.roster.add(user, name, seniority, phone=phone, on_duty=on_duty, lead=True)
        for user, name, seniority, phone, on_duty in ROSTER:
            if user != me:
                self.desk.roster.add(
                    user, name, seniority, phone=phone, on_duty=on_duty, lead=user in LEADS
                )

    def customers(self) -> None:
        admin = self.desk.claim("zhaolei")
        for name, tier, start, years, systems, contacts in CUSTOMERS:
            admin.customers.add(
                name,
                systems=[SystemInfo(*x) for x in systems],
                warranty_start=start,
                warranty_end=start.replace(year=start.year + years) - timedelta(days=1),
                tier=tier,
                contacts=[ContactInfo(*c) for c in contacts],
            )
            for system in systems:
                self.systems.append((name, system[0], f"{contacts[0][0]} {contacts[0][1]}"))

    def log(self, level: int, at: datetime, channel: str | None = None) -> tuple[Any, tuple]:
        if channel is None:
            channel = "phone" if self.rng.random() < 0.6 else "electronic"
        customer, system, contact = self.pick(self.systems)
        story = self.pick(STORIES)
        taker = self.pick(("wangfang", "liwei", "zhangmin", "jsmith", "chenjing"))
        f = self.as_(taker).faults.log(
            customer=customer,
            system=system,
            title=story[0],
            level=level,
            channel=channel,
            symptom=story[1],
            contact=contact,
            at=at,
        )
        return f, story

    # -- a closed fault: the whole life --------------------------------------------------

    def closed_fault(self, reported: datetime) -> None:
        rng = self.rng
        level = rng.choices((0, 1, 2, 3), weights=(1, 3, 4, 3))[0]
        f, story = self.log(level, reported)
        spec = self.policy.level(level)
        owner = self.pick(self.juniors())
        d = self.as_(owner)
        late = rng.random() < 0.12
        if late:  # past the respond target, in service time
            target = spec.respond[f.channel]
            respond_at = spec.window.add(reported, int(target * rng.uniform(1.1, 2.0)))
        else:
            respond_at = reported + rng.uniform(3, 50) * MINUTE
        # A late response to a fault reported before a long holiday can land after now
        # (the verbs refuse that): half an hour ago at the latest, so the rest still fits.
        respond_at = min(respond_at.replace(microsecond=0), self.now - 30 * MINUTE)
        share = rng.uniform(1.05, 1.8) if rng.random() < 0.15 else rng.uniform(0.1, 0.9)
        resolved = spec.window.add(respond_at, int(spec.resolve * share))
        latest = self.now - 2 * HOUR
        if resolved > latest:
            resolved = max(respond_at + 30 * MINUTE, latest - rng.uniform(0, 20) * HOUR)
        respond_at = min(respond_at, resolved - 20 * MINUTE)
        span = resolved - respond_at

        def step(fraction: float) -> datetime:
            return (respond_at + span * fraction).replace(microsecond=0)

        f = d.faults.respond(
            f.ref, version=f.version, how=f.channel, note="已电话联系用户", at=respond_at
        )
        f = d.faults.assign(f.ref, owner, version=f.version, at=respond_at)
        call_end = (respond_at + rng.uniform(5, 30) * MINUTE).replace(microsecond=0)
        w = d.work.add(
            f.ref,
            version=f.version,
            mode="phone",
            start=respond_at,
            end=min(call_end, resolved),
            done="电话了解现象，指导用户收集日志",
            result="初步定位",
            at=min(call_end, resolved),
        )
        version = w.fault_version
        if level < 3:
            f = d.faults.propose(
                f.ref, version=version, text=story[3], at=step(rng.uniform(0.1, 0.3))
            )
            version = f.version
        if rng.random() < 0.2:
            f = d.faults.pause(f.ref, version=version, reason="等待用户提供日志", at=step(0.32))
            f = d.faults.resume(f.ref, version=f.version, note="用户已提供日志", at=step(0.4))
            version = f.version
        if rng.random() < 0.05 and level < 3:
            f = d.faults.level(
                f.ref, level + 1, version=version, reason="影响小于初判", at=step(0.42)
            )
            version = f.version
        if level < 3 and rng.random() < 0.45:
            w = d.work.add(
                f.ref,
                version=version,
                mode="remote",
                start=step(0.45),
                end=step(0.6),
                done="远程登录排查：" + story[2],
                result="远程处理" + ("完成" if rng.random() < 0.7 else "未能解决，需现场"),
                at=step(0.6),
            )
            version = w.fault_version
        if level < 2 and rng.random() < 0.3:
            w = d.work.add(
                f.ref,
                version=version,
                mode="onsite",
                start=step(0.62),
                end=step(0.9),
                done="现场处理：" + story[3],
                result="恢复正常",
                at=step(0.62),
            )
            version = w.fault_version
            if rng.random() < 0.5:
                f = d.faults.escalate(
                    f.ref, version=version, reason="现场两小时未能排除", at=step(0.7)
                )
                version = f.version
            w = d.work.sign_off(
                w.id,
                version=version,
                customer_rep=self.pick(("周建国", "孙丽", "Nancy Davolio")),
                at=step(0.9),
            )
            version = w.fault_version
        f = d.faults.record(
            f.ref,
            version=version,
            diagnosis=story[2],
            handling=story[3],
            losses=story[4],
            changes=story[5],
            at=step(0.95),
        )
        f = d.faults.resolve(f.ref, version=f.version, summary=story[3], at=resolved)
        closed = min(resolved + rng.uniform(0.5, 72) * HOUR, self.now - HOUR)
        f = d.faults.close(f.ref, version=f.version, note="用户确认恢复", at=max(closed, resolved))
        if rng.random() < 0.03:
            closed_at = f.closed_at
            again = max(
                min(closed_at + rng.uniform(1, 48) * HOUR, self.now - 40 * MINUTE), closed_at
            )
            f = d.faults.reopen(f.ref, version=f.version, reason="问题复现", at=again)
            fixed = max(min(again + rng.uniform(10, 30) * MINUTE, self.now - 5 * MINUTE), again)
            f = d.faults.resolve(f.ref, version=f.version, summary="再次处理后恢复", at=fixed)
            f = d.faults.close(f.ref, version=f.version, note="用户确认", at=fixed)

    # -- resolved, waiting for the customer's sign-off -----------------------------------

    def resolved_fault(self, i: int) -> None:
        level = i % 2
        reported = self.now - (6 + 5 * i) * HOUR
        f, story = self.log(level, reported)
        owner = self.pick(self.juniors())
        d = self.as_(owner)
        f = d.faults.respond(f.ref, version=f.version, how="phone", at=reported + 10 * MINUTE)
        f = d.faults.assign(f.ref, owner, version=f.version, at=reported + 10 * MINUTE)
        f = d.faults.propose(f.ref, version=f.version, text=story[3], at=reported + HOUR)
        w = d.work.add(
            f.ref,
            version=f.version,
            mode="onsite",
            start=reported + 2 * HOUR,
            end=reported + 3 * HOUR,
            done="现场处理：" + story[3],
            result="恢复正常，待用户签字",
            at=reported + 3 * HOUR,
        )
        f = d.faults.escalate(
            f.ref, version=w.fault_version, reason="需要专家确认", at=reported + 3 * HOUR
        )
        d.faults.resolve(f.ref, version=f.version, summary=story[3], at=reported + 3 * HOUR)

    # -- an open fault in a chosen status and band ------------------------------------------

    def open_fault(self, level: int, status: str, band: Band) -> None:
        rng = self.rng
        spec = self.policy.level(level)
        low, high = BAND_SHARE[band]
        share = rng.uniform(low, high)
        channel = "phone" if rng.random() < 0.6 else "electronic"
        # The primary clock: respond for a new fault, else resolve.
        target = spec.respond[channel] if status == "new" else spec.resolve
        reported = self.back_off(spec.window, self.now, target * share)
        if status != "new":  # leave room for the steps of the story
            reported = min(reported, self.now - 40 * MINUTE)
        f, story = self.log(level, reported, channel)
        if status == "new":
            return
        owner = self.pick(self.juniors())
        d = self.as_(owner)
        elapsed = self.now - reported
        respond_at = reported + min(30 * MINUTE, elapsed * 0.1)

        def step(fraction: float) -> datetime:
            return (respond_at + (self.now - respond_at) * fraction).replace(microsecond=0)

        f = d.faults.respond(
            f.ref, version=f.version, how=f.channel, note="已联系用户", at=respond_at
        )
        f = d.faults.assign(f.ref, owner, version=f.version, at=respond_at)
        if level < 3:
            f = d.faults.propose(f.ref, version=f.version, text=story[3], at=step(0.15))
        if status == "responded":
            return
        w = d.work.add(
            f.ref,
            version=f.version,
            mode="phone",
            start=step(0.2),
            end=step(0.3),
            done="电话指导用户检查：" + story[1],
            result="未恢复",
            at=step(0.3),
        )
        version = w.fault_version
        if level < 2 and rng.random() < 0.5:
            w = d.work.add(
                f.ref,
                version=version,
                mode="remote",
                start=step(0.4),
                end=step(0.5),
                done="远程排查：" + story[2],
                result="需现场处理",
                at=step(0.5),
            )
            w = d.work.add(
                f.ref,
                version=w.fault_version,
                mode="onsite",
                start=step(0.55),
                done="现场处理中",
                at=step(0.55),
            )
            f = d.faults.escalate(f.ref, version=w.fault_version, reason="请专家支持", at=step(0.6))
            version = f.version
        if status == "waiting":
            d.faults.pause(f.ref, version=version, reason="等待用户安排停机窗口", at=step(0.8))

    # -- the tally ----------------------------------------------------------------------

    def summary(self, started: float) -> DemoSummary:
        """What the database holds now (counted there, not from the story)."""
        desk = self.desk
        queue = desk.reads.open_queue()
        count = func.count()
        with Session(desk.engine) as s:
            faults = s.exec(
                select(Fault.status, Fault.level, count).group_by(Fault.status, Fault.level)
            ).all()
            work = s.exec(select(count).select_from(WorkEntryRow)).one()
            events = s.exec(select(count).select_from(AuditEvent)).one()
        customers = desk.customers.all()
        by_status: Counter[str] = Counter()
        by_level: Counter[int] = Counter()
        for status, level, n in faults:
            by_status[status] += n
            by_level[level] += n
        return DemoSummary(
            customers=len(customers),
            systems=sum(len(c.systems) for c in customers),
            engineers=len(desk.roster.all()),
            faults=sum(by_status.values()),
            open_faults=len(queue),
            resolved_faults=by_status["resolved"],
            closed_faults=by_status["closed"],
            work_entries=work,
            events=events,
            seconds=round(time.perf_counter() - started, 2),
            by_level=dict(sorted(by_level.items())),
            by_status={k: by_status[k] for k in STATUSES if by_status[k]},
            by_band=dict(Counter(item.band.value for item in queue)),
        )
