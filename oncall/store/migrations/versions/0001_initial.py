"""The first schema: roster, customers and systems, faults, records, work, audit trail.

Fault numbers come from ``fault_counter`` (one row per year).

Revision ID: 0001
Revises:
Create Date: 2026-11-25

The audit trail is append-only: triggers make the database refuse UPDATE and
DELETE on ``audit_event`` (SQLite: RAISE(ABORT); PostgreSQL: a PL/pgSQL function).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = "the audit trail is append-only: audit_event rows cannot be changed or deleted"


def _instant(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "engineer",
        sa.Column("os_user", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("seniority", sa.String(16), nullable=False),
        sa.Column("phone", sa.String(64), nullable=False),
        sa.Column("on_duty", sa.Boolean(), nullable=False),
        _instant("created_at", nullable=False),
        sa.CheckConstraint(
            "seniority IN ('engineer', 'senior', 'expert')", name=op.f("ck_engineer_seniority")
        ),
        sa.PrimaryKeyConstraint("os_user", name=op.f("pk_engineer")),
    )
    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("tier", sa.String(64), nullable=False),
        sa.Column("warranty_start", sa.Date(), nullable=True),
        sa.Column("warranty_end", sa.Date(), nullable=True),
        _instant("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
        sa.UniqueConstraint("name", name=op.f("uq_customer_name")),
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(64), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("role", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_contact_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    op.create_index(op.f("ix_contact_customer_id"), "contact", ["customer_id"])
    op.create_table(
        "system",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("product", sa.String(200), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_system_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_system")),
        sa.UniqueConstraint("customer_id", "name", name=op.f("uq_system_customer_id_name")),
    )
    op.create_index(op.f("ix_system_customer_id"), "system", ["customer_id"])
    op.create_table(
        "fault",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        _text("symptom"),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("contact", sa.String(500), nullable=False),
        _instant("reported_at", nullable=False),
        sa.Column("reported_by", sa.String(64), nullable=False),
        sa.Column("assignee", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        _instant("responded_at"),
        _instant("solution_at"),
        _instant("resolved_at"),
        _instant("signed_off_at"),
        _instant("closed_at"),
        _instant("next_breach"),
        sa.Column("next_clock", sa.String(32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("channel IN ('phone', 'electronic')", name=op.f("ck_fault_channel")),
        sa.CheckConstraint(
            "status IN ('new', 'responded', 'in_progress', 'waiting', 'resolved', 'closed')",
            name=op.f("ck_fault_status"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee"], ["engineer.os_user"], name=op.f("fk_fault_assignee_engineer")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_fault_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"], ["engineer.os_user"], name=op.f("fk_fault_reported_by_engineer")
        ),
        sa.ForeignKeyConstraint(
            ["system_id"], ["system.id"], name=op.f("fk_fault_system_id_system")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fault")),
        sa.UniqueConstraint("ref", name=op.f("uq_fault_ref")),
        sa.UniqueConstraint("year", "seq", name=op.f("uq_fault_year_seq")),
    )
    op.create_index(op.f("ix_fault_customer_id"), "fault", ["customer_id"])
    op.create_index(op.f("ix_fault_next_breach"), "fault", ["next_breach"])
    op.create_index(op.f("ix_fault_reported_at"), "fault", ["reported_at"])
    op.create_index("ix_fault_status_next_breach", "fault", ["status", "next_breach"])
    op.create_table(
        "fault_counter",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_fault_counter")),
    )
    op.create_table(
        "fault_record",
        sa.Column("fault_id", sa.Integer(), nullable=False),
        _text("diagnosis"),
        _text("handling"),
        _text("losses"),
        _text("changes"),
        sa.ForeignKeyConstraint(
            ["fault_id"], ["fault.id"], name=op.f("fk_fault_record_fault_id_fault")
        ),
        sa.PrimaryKeyConstraint("fault_id", name=op.f("pk_fault_record")),
    )
    op.create_table(
        "work_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fault_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        _instant("started_at", nullable=False),
        _instant("ended_at"),
        sa.Column("engineer", sa.String(64), nullable=False),
        _text("done"),
        _text("result"),
        sa.Column("customer_signoff_name", sa.String(200), nullable=True),
        _instant("customer_signoff_at"),
        sa.Column("engineer_signoff", sa.String(64), nullable=True),
        _instant("engineer_signoff_at"),
        sa.CheckConstraint(
            "mode IN ('phone', 'remote', 'onsite', 'internal')", name=op.f("ck_work_entry_mode")
        ),
        sa.ForeignKeyConstraint(
            ["engineer"], ["engineer.os_user"], name=op.f("fk_work_entry_engineer_engineer")
        ),
        sa.ForeignKeyConstraint(
            ["engineer_signoff"],
            ["engineer.os_user"],
            name=op.f("fk_work_entry_engineer_signoff_engineer"),
        ),
        sa.ForeignKeyConstraint(
            ["fault_id"], ["fault.id"], name=op.f("fk_work_entry_fault_id_fault")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_entry")),
    )
    op.create_index(op.f("ix_work_entry_fault_id"), "work_entry", ["fault_id"])
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fault_id", sa.Integer(), nullable=True),
        _instant("at", nullable=False),
        _instant("logged_at", nullable=False),
        sa.Column("os_user", sa.String(64), nullable=False),
        sa.Column("verb", sa.String(32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fault_id"], ["fault.id"], name=op.f("fk_audit_event_fault_id_fault")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index(op.f("ix_audit_event_fault_id"), "audit_event", ["fault_id"])
    _append_only_triggers()


def _append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{action.lower()} BEFORE {action} ON audit_event "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    for table in (
        "audit_event",
        "work_entry",
        "fault_record",
        "fault_counter",
        "fault",
        "system",
        "contact",
    ):
        op.drop_table(table)
    op.drop_table("customer")
    op.drop_table("engineer")
