"""Demo data: a believable desk, written through the verbs.

``load_demo(desk)`` fills an empty database with customers and systems
(Chinese and English names), a roster, about 40 open faults spread over every
level, status and urgency band (some already breached), a few resolved ones
awaiting the customer's sign-off, and a few hundred closed faults over the past
months with their work entries, records and audit trails. Every fault is made
by the same verbs an engineer uses, back-dated with ``at=``, so the rows, the
events and the cached deadlines are exactly what real use would leave.

The same seed and the same ``desk.clock.now()`` give the same data.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, func, select

from oncall.sla import Band, ServiceWindow
from oncall.store.models import AuditEvent, Customer, WorkEntryRow

from .core import Desk
from .errors import DeskError
from .views import ContactInfo, FaultSummary, SystemInfo

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

ROSTER = (
    # (os user, name, seniority, phone, on duty)
    ("wangfang", "王芳", "engineer", "138-0000-1001", True),
    ("liwei", "李伟", "engineer", "138-0000-1002", True),
    ("zhangmin", "张敏", "engineer", "138-0000-1003", False),
    ("jsmith", "John Smith", "engineer", "+1 555 0100", False),
    ("chenjing", "陈静", "senior", "138-0000-2001", True),
    ("mgarcia", "Maria Garcia", "senior", "+34 600 000 200", False),
    ("liuyang", "刘洋", "senior", "138-0000-2002", False),
    ("zhaolei", "赵磊", "expert", "138-0000-3001", True),
    ("pkumar", "Priya Kumar", "expert", "+91 90000 00300", False),
)
LEADS = ("zhaolei", "chenjing")  # the demo roster's leads (and whoever loads the demo)

CUSTOMERS = (
    # (name, tier, warranty start, years, systems, contacts)
    (
        "江南电力调度中心",
        "gold",
        date(2024, 9, 30),
        3,
        (("EMS", "能量管理系统 D5000", "v3.2"), ("SCADA", "OPEN-3200", "R5")),
        (("周建国", "0571-8800-1234", "zhoujg@example.cn", "调度处处长"),),
    ),
    (
        "申城地铁运营公司",
        "gold",
        date(2025, 3, 15),
        2,
        (("ATS", "列车自动监控 iATS", "2.1"), ("PIS", "乘客信息系统", "PIS-8")),
        (("孙丽", "021-6600-5678", "sunli@example.cn", "信号车间主任"),),
    ),
    (
        "海川银行数据中心",
        "platinum",
        date(2025, 1, 10),
        3,
        (("Core", "核心账务系统", "TCS 9"), ("ESB", "企业服务总线", "ESB 4.5")),
        (("钱峰", "0755-8300-4321", "qianfeng@example.cn", "运维经理"),),
    ),
    (
        "Northwind Logistics",
        "standard",
        date(2024, 11, 1),
        2,
        (("WMS", "Warehouse Management", "SCALE 2019"), ("TMS", "Transport Planner", "7.4")),
        (("Nancy Davolio", "+1 206 555 9857", "nancy@northwind.example", "IT operations"),),
    ),
    (
        "Contoso Hospital Group",
        "gold",
        date(2025, 6, 1),
        3,
        (("HIS", "Hospital Information System", "HIS 12"), ("PACS", "Imaging archive", "5.0")),
        (("Dr. Ben Miller", "+44 20 7946 0000", "ben.miller@contoso.example", "CIO"),),
    ),
    (
        "北岭钢铁集团",
        "standard",
        date(2023, 12, 20),
        3,
        (("MES", "制造执行系统", "MES 6"), ("L2", "二级过程控制", "L2-3.0")),
        (("韩磊", "0411-8200-7788", "hanlei@example.cn", "自动化部"),),
    ),
)

# (title, symptom, diagnosis, handling, losses, changes)
STORIES = (
    (
        "前置机通信中断",
        "多个厂站遥测数据不刷新，前置机日志报 socket timeout",
        "抓包确认前置机至通道服务器 TCP 会话被防火墙老化",
        "调整防火墙会话超时并重启前置服务，数据恢复",
        "约 40 分钟遥测数据缺失，未影响控制",
        "防火墙 session-timeout 由 300s 改为 3600s；重启 fes 服务",
    ),
    (
        "数据库主备切换失败",
        "主库宕机后备库未接管，应用报 ORA-12541",
        "备库监听配置错误，VIP 未漂移",
        "修正 listener.ora，手工漂移 VIP，验证切换",
        "核心业务中断 25 分钟",
        "listener.ora 增加备库地址；keepalived 优先级调整",
    ),
    (
        "Login page returns HTTP 502",
        "Users get 502 Bad Gateway from the portal since the morning",
        "Application pool exhausted after a memory leak in the session cache",
        "Restarted the app servers, applied vendor hotfix HF-2231",
        "Portal unavailable for 1 h for external users",
        "JVM -Xmx 4g -> 8g; session cache TTL 24h -> 2h",
    ),
    (
        "报表导出超时",
        "月报导出超过 10 分钟无响应",
        "统计 SQL 缺少索引，全表扫描",
        "新增复合索引，导出缩短至 30 秒",
        "无业务损失",
        "新增索引 ix_report_month_org",
    ),
    (
        "Disk usage alarm on archive server",
        "Archive volume at 95% and growing",
        "Log rotation stopped after an OS patch reset logrotate config",
        "Restored logrotate config, compressed old logs",
        "None",
        "/etc/logrotate.d/archive restored; 120 GB freed",
    ),
    (
        "列车位置显示跳变",
        "ATS 工作站上列车位置间歇跳变",
        "时钟同步偏差导致报文乱序",
        "修复 NTP 配置并重启时钟服务",
        "调度员人工核对位置约 2 小时",
        "ntp.conf 指向主时钟源；chronyd 重启",
    ),
    (
        "Interface to ERP rejects orders",
        "Order messages to ERP fail with schema validation errors",
        "ERP upgraded its XSD; new mandatory field missing",
        "Mapped the new field in the ESB transformation",
        "312 orders delayed by 3 hours",
        "ESB mapping v45 deployed",
    ),
    (
        "咨询：如何配置告警短信",
        "用户询问告警短信网关的配置方法",
        "不涉及故障",
        "电话指导配置并发送操作手册",
        "无",
        "无",
    ),
    (
        "Request: add a read-only user role",
        "Customer asks for a role that can view but not change dispatch plans",
        "Feature exists but is disabled by default",
        "Enabled the role and walked the customer through it",
        "None",
        "role VIEWER enabled in config",
    ),
    (
        "影像调阅缓慢",
        "PACS 影像打开需 30 秒以上",
        "存储阵列一块盘降级，重建中 IO 饱和",
        "更换故障盘，重建期间限速",
        "门诊阅片效率下降半天",
        "更换 3 号槽位硬盘；重建速率限制 50%",
    ),
    (
        "系统无法启动",
        "主服务器重启后应用服务无法启动，拒绝所有连接",
        "许可证文件随主机名变更失效",
        "申请临时许可并恢复主机名",
        "全部业务中断 1 小时 20 分钟",
        "主机名恢复为 ems-app01；导入临时许可",
    ),
    (
        "Batch job overran its window",
        "Nightly settlement batch still running at 08:00",
        "Lock contention with a backup job moved to the same window",
        "Rescheduled the backup, re-ran the batch",
        "Settlement published 2 hours late",
        "backup cron 01:00 -> 04:30",
    ),
)

BAND_SHARE = {  # share of the primary clock's target used by now
    Band.OK: (0.15, 0.6),
    Band.WARNING: (0.77, 0.87),
    Band.CRITICAL: (0.91, 0.97),
    Band.BREACHED: (1.1, 2.5),
}
OPEN_STATUSES = ("new", "responded", "in_progress", "waiting")
BANDS = (Band.OK, Band.WARNING, Band.CRITICAL, Band.BREACHED)


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
) -> DemoSummary:
    """Fill an empty database with demo data; refused if it already has customers.

    The acting OS user (``desk.user``) is put on the roster too (as a senior
    engineer on duty) when missing, so the console opens as someone who may act.
    """
    started = time.perf_counter()
    with Session(desk.engine) as s:
        if s.exec(select(func.count()).select_from(Customer)).one():
            raise DeskError("the database already has customers: load the demo into an empty one")
    gen = _Generator(desk, random.Random(seed), desk.clock.now().replace(microsecond=0))
    with desk.batch():  # one transaction: all of it or nothing, and fast
        gen.roster()
        gen.customers()
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
    return gen.summary(started)


class _Generator:
    def __init__(self, desk: Desk, rng: random.Random, now: datetime) -> None:
        self.desk = desk
        self.rng = rng
        self.now = now
        self.policy = desk.policy
        self._desks: dict[str, Desk] = {}
        self.systems: list[tuple[str, str, str]] = []  # (customer, system, contact)

    # -- helpers ------------------------------------------------------------------------

    def as_(self, user: str) -> Desk:
        """The desk acting on ``user``'s behalf: the audit keeps who loaded the demo."""
        if user not in self._desks:
            self._desks[user] = self.desk.claim(user)
        return self._desks[user]

    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def juniors(self) -> list[str]:
        return [u for u, _, s, _, _ in ROSTER if s == "engineer"]

    def seniors(self) -> list[str]:
        return [u for u, _, s, _, _ in ROSTER if s != "engineer"]

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
            self.desk.me()
        except DeskError:
            user, name, seniority, phone, on_duty = mine[0]
            self.desk.add_engineer(user, name, seniority, phone=phone, on_duty=on_duty, lead=True)
        for user, name, seniority, phone, on_duty in ROSTER:
            if user != me:
                self.desk.add_engineer(
                    user, name, seniority, phone=phone, on_duty=on_duty, lead=user in LEADS
                )

    def customers(self) -> None:
        admin = self.as_("zhaolei")
        for name, tier, start, years, systems, contacts in CUSTOMERS:
            admin.add_customer(
                name,
                systems=[SystemInfo(*x) for x in systems],
                warranty_start=start,
                warranty_end=start.replace(year=start.year + years) - timedelta(days=1),
                tier=tier,
                contacts=[ContactInfo(*c) for c in contacts],
            )
            for system in systems:
                self.systems.append((name, system[0], f"{contacts[0][0]} {contacts[0][1]}"))

    def log(
        self, level: int, at: datetime, channel: str | None = None
    ) -> tuple[FaultSummary, tuple]:
        if channel is None:
            channel = "phone" if self.rng.random() < 0.6 else "electronic"
        customer, system, contact = self.pick(self.systems)
        story = self.pick(STORIES)
        taker = self.pick(("wangfang", "liwei", "zhangmin", "jsmith", "chenjing"))
        f = self.as_(taker).log_fault(
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
        respond_at = respond_at.replace(microsecond=0)
        share = rng.uniform(1.05, 1.8) if rng.random() < 0.15 else rng.uniform(0.1, 0.9)
        resolved = spec.window.add(respond_at, int(spec.resolve * share))
        latest = self.now - 2 * HOUR
        if resolved > latest:
            resolved = max(respond_at + 30 * MINUTE, latest - rng.uniform(0, 20) * HOUR)
        respond_at = min(respond_at, resolved - 20 * MINUTE)
        span = resolved - respond_at

        def step(fraction: float) -> datetime:
            return (respond_at + span * fraction).replace(microsecond=0)

        f = d.respond(f.ref, version=f.version, how=f.channel, note="已电话联系用户", at=respond_at)
        f = d.assign(f.ref, owner, version=f.version, at=respond_at)
        call_end = (respond_at + rng.uniform(5, 30) * MINUTE).replace(microsecond=0)
        w = d.add_work(
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
            f = d.propose_solution(
                f.ref, version=version, text=story[3], at=step(rng.uniform(0.1, 0.3))
            )
            version = f.version
        if rng.random() < 0.2:
            f = d.pause(f.ref, version=version, reason="等待用户提供日志", at=step(0.32))
            f = d.resume(f.ref, version=f.version, note="用户已提供日志", at=step(0.4))
            version = f.version
        if rng.random() < 0.05 and level < 3:
            f = d.change_level(
                f.ref, level + 1, version=version, reason="影响小于初判", at=step(0.42)
            )
            version = f.version
        if level < 3 and rng.random() < 0.45:
            w = d.add_work(
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
            w = d.add_work(
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
                f = d.escalate(f.ref, version=version, reason="现场两小时未能排除", at=step(0.7))
                version = f.version
            w = d.sign_off(
                w.id,
                version=version,
                customer_rep=self.pick(("周建国", "孙丽", "Nancy Davolio")),
                at=step(0.9),
            )
            version = w.fault_version
        f = d.update_record(
            f.ref,
            version=version,
            diagnosis=story[2],
            handling=story[3],
            losses=story[4],
            changes=story[5],
            at=step(0.95),
        )
        f = d.resolve(f.ref, version=f.version, summary=story[3], at=resolved)
        closed = min(resolved + rng.uniform(0.5, 72) * HOUR, self.now - HOUR)
        f = d.close(f.ref, version=f.version, note="用户确认恢复", at=max(closed, resolved))
        if rng.random() < 0.03:
            closed_at = f.closed_at
            again = max(
                min(closed_at + rng.uniform(1, 48) * HOUR, self.now - 40 * MINUTE), closed_at
            )
            f = d.reopen(f.ref, version=f.version, reason="问题复现", at=again)
            fixed = max(min(again + rng.uniform(10, 30) * MINUTE, self.now - 5 * MINUTE), again)
            f = d.resolve(f.ref, version=f.version, summary="再次处理后恢复", at=fixed)
            f = d.close(f.ref, version=f.version, note="用户确认", at=fixed)

    # -- resolved, waiting for the customer's sign-off -----------------------------------

    def resolved_fault(self, i: int) -> None:
        level = i % 2
        reported = self.now - (6 + 5 * i) * HOUR
        f, story = self.log(level, reported)
        owner = self.pick(self.juniors())
        d = self.as_(owner)
        f = d.respond(f.ref, version=f.version, how="phone", at=reported + 10 * MINUTE)
        f = d.assign(f.ref, owner, version=f.version, at=reported + 10 * MINUTE)
        f = d.propose_solution(f.ref, version=f.version, text=story[3], at=reported + HOUR)
        w = d.add_work(
            f.ref,
            version=f.version,
            mode="onsite",
            start=reported + 2 * HOUR,
            end=reported + 3 * HOUR,
            done="现场处理：" + story[3],
            result="恢复正常，待用户签字",
            at=reported + 3 * HOUR,
        )
        f = d.escalate(
            f.ref, version=w.fault_version, reason="需要专家确认", at=reported + 3 * HOUR
        )
        d.resolve(f.ref, version=f.version, summary=story[3], at=reported + 3 * HOUR)

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

        f = d.respond(f.ref, version=f.version, how=f.channel, note="已联系用户", at=respond_at)
        f = d.assign(f.ref, owner, version=f.version, at=respond_at)
        if level < 3:
            f = d.propose_solution(f.ref, version=f.version, text=story[3], at=step(0.15))
        if status == "responded":
            return
        w = d.add_work(
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
            w = d.add_work(
                f.ref,
                version=version,
                mode="remote",
                start=step(0.4),
                end=step(0.5),
                done="远程排查：" + story[2],
                result="需现场处理",
                at=step(0.5),
            )
            w = d.add_work(
                f.ref,
                version=w.fault_version,
                mode="onsite",
                start=step(0.55),
                done="现场处理中",
                at=step(0.55),
            )
            f = d.escalate(f.ref, version=w.fault_version, reason="请专家支持", at=step(0.6))
            version = f.version
        if status == "waiting":
            d.pause(f.ref, version=version, reason="等待用户安排停机窗口", at=step(0.8))

    # -- the tally ----------------------------------------------------------------------

    def summary(self, started: float) -> DemoSummary:
        desk = self.desk
        faults = desk.fault_list(include_closed=True)
        queue = desk.open_queue()
        with Session(desk.engine) as s:
            work = s.exec(select(func.count()).select_from(WorkEntryRow)).one()
            events = s.exec(select(func.count()).select_from(AuditEvent)).one()
        customers = desk.list_customers()
        by_status = Counter(f.status for f in faults)
        return DemoSummary(
            customers=len(customers),
            systems=sum(len(c.systems) for c in customers),
            engineers=len(desk.list_engineers()),
            faults=len(faults),
            open_faults=len(queue),
            resolved_faults=by_status["resolved"],
            closed_faults=by_status["closed"],
            work_entries=work,
            events=events,
            seconds=round(time.perf_counter() - started, 2),
            by_level=dict(sorted(Counter(f.level for f in faults).items())),
            by_status=dict(by_status),
            by_band=dict(Counter(item.band.value for item in queue)),
        )
