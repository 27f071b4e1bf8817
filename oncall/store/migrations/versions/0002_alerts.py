"""Alerts: every SLA alert that fired, once, with its acknowledgement and notify state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

The table is keyed by (fault, clock, threshold, deadline): a unique
constraint, so that an alert fires once across restarts and across several
consoles and watchers sharing the database (the INSERT that wins fires it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The table model, imported so that the shared metadata (autogenerate, the
# schema comparison in the tests) knows the table whenever the migrations load.
import oncall.store.alert_models  # noqa: F401

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _instant(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fault_id", sa.Integer(), nullable=False),
        sa.Column("clock", sa.String(32), nullable=False),
        sa.Column("threshold", sa.String(16), nullable=False),
        _instant("deadline", nullable=False),
        _instant("planned_at", nullable=False),
        _instant("fired_at", nullable=False),
        sa.Column("late_seconds", sa.Float(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("fired_by", sa.String(200), nullable=False),
        sa.Column("acked_by", sa.String(64), nullable=True),
        _instant("acked_at"),
        sa.Column("notify_state", sa.String(16), nullable=True),
        sa.Column("notify_by", sa.String(200), nullable=True),
        _instant("notify_claimed_at"),
        sa.Column("notify_attempts", sa.Integer(), nullable=False),
        _instant("notify_done_at"),
        sa.Column("notify_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "threshold IN ('warning', 'critical', 'breach')", name=op.f("ck_alert_threshold")
        ),
        sa.CheckConstraint(
            "notify_state IS NULL OR notify_state IN ('sending', 'sent', 'failed')",
            name=op.f("ck_alert_notify_state"),
        ),
        sa.ForeignKeyConstraint(["fault_id"], ["fault.id"], name=op.f("fk_alert_fault_id_fault")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
        sa.UniqueConstraint(
            "fault_id",
            "clock",
            "threshold",
            "deadline",
            name=op.f("uq_alert_fault_id_clock_threshold_deadline"),
        ),
    )
    op.create_index("ix_alert_fired_at", "alert", ["fired_at"])


def downgrade() -> None:
    op.drop_index("ix_alert_fired_at", table_name="alert")
    op.drop_table("alert")
