"""A fault whose clocks are known by hand, for the report's tests (desk and CLI).

Level 0 (7x24: wall time is service time), phone, reported 2026-03-10 00:00 UTC
(08:00 in Asia/Shanghai); every figure below is worked out from the policy by hand:

- respond, 1h: due 01:00, responded 00:30 -> met
- solution, 2h: due 02:00, proposed 02:30 -> breached by 0:30:00
- remote_fix, 2h from the remote work at 00:40: due 02:40, stopped by on-site work
  at 03:00 -> breached by 0:20:00
- onsite_escalation, 2h from the on-site work at 03:00: due 05:00, escalated 03:30 -> met
- resolve, 4h: due 04:00, plus the wait on the customer 03:35-04:05 (0:30:00) -> 04:30;
  resolved 04:20 -> met
- work: phone 00:30-00:45 (0:15:00), remote 00:40-01:40 (1:00:00), on-site
  03:00-04:15 (1:15:00), signed for the customer by 张工 and for the vendor by duty at 04:15
- closed 05:00; the report is made at 12:00 UTC (20:00 in Shanghai)
"""

from __future__ import annotations

from datetime import UTC, datetime

REPORT_NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
RECORD = {
    "diagnosis": "前置机网卡故障",
    "handling": "更换网卡，重启前置服务",
    "losses": "遥测中断 4 小时",
    "changes": "eth1 -> eth2; front-end restarted",
}


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 10, hour, minute, tzinfo=UTC)


def known_fault(desk, *, title: str = "EMS front end drops telemetry", close: bool = True) -> str:
    """Log and work the fault above on ``desk`` (the conftest desk, clock at REPORT_NOW)."""
    f = desk.faults.log(
        customer="华东电网",
        system="EMS",
        title=title,
        level=0,
        channel="phone",
        symptom="RTU data stale since 08:00",
        contact="张工 13800000000",
        at=at(0),
    )
    ref = f.ref
    desk.faults.assign(ref, "duty", version=None, at=at(0, 5))
    desk.faults.respond(ref, version=None, how="phone", at=at(0, 30))
    desk.work.add(ref, version=None, mode="phone", start=at(0, 30), end=at(0, 45),
                  done="电话指导", result="收集日志", at=at(0, 45))  # fmt: skip
    desk.work.add(ref, version=None, mode="remote", start=at(0, 40), end=at(1, 40),
                  done="远程排查", result="网卡异常", at=at(1, 40))  # fmt: skip
    desk.faults.propose(ref, version=None, text="更换网卡", at=at(2, 30))
    onsite = desk.work.add(ref, version=None, mode="onsite", start=at(3), done="现场更换网卡",
                           result="恢复正常", at=at(3))  # fmt: skip
    desk.faults.escalate(ref, version=None, reason="需要高级工程师", at=at(3, 30))
    desk.faults.pause(ref, version=None, reason="等待用户停机窗口", at=at(3, 35))
    desk.faults.resume(ref, version=None, note="窗口已到", at=at(4, 5))
    desk.work.sign_off(onsite.id, version=None, customer_rep="张工", engineer="duty",
                       end=at(4, 15), at=at(4, 15))  # fmt: skip
    desk.faults.record(ref, version=None, **RECORD, at=at(4, 18))
    desk.faults.resolve(ref, version=None, summary="网卡更换后遥测恢复", at=at(4, 20))
    if close:
        desk.faults.close(ref, version=None, note="用户确认", at=at(5))
    return ref
