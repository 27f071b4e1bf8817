"""The demo's people, customers and fault stories (Chinese and English, like a real desk's)."""

from __future__ import annotations

from datetime import date

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
