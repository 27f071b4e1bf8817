"""Delivery: the notify supervisor's pid and host, the exit status, ``unknown``, resends.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-07

The notify command now runs under a supervisor that outlives the process that
fired the alert and writes the outcome itself. ``notify_pid``/``notify_host``
say which supervisor started the command; a claim whose supervisor started and
left no outcome becomes ``unknown`` (never resent automatically). Rows left in
``sending`` by an older version may have been delivered: they become
``unknown`` too, since nothing tells whether their command ran.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oncall.store.alert_models  # noqa: F401  (the table, for the shared metadata)

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_OLD = "notify_state IS NULL OR notify_state IN ('sending', 'sent', 'failed')"
_NEW = "notify_state IS NULL OR notify_state IN ('sending', 'sent', 'failed', 'unknown')"


def upgrade() -> None:
    # batch: SQLite rebuilds the table (it cannot alter a CHECK); PostgreSQL alters it.
    with op.batch_alter_table("alert") as batch:
        batch.add_column(sa.Column("notify_pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("notify_host", sa.String(255), nullable=True))
        batch.add_column(sa.Column("notify_exit", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("notify_resent_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("notify_resent_at", sa.DateTime(timezone=True), nullable=True))
        batch.drop_constraint(op.f("ck_alert_notify_state"), type_="check")
        batch.create_check_constraint(op.f("ck_alert_notify_state"), _NEW)
    op.execute("UPDATE alert SET notify_state = 'unknown' WHERE notify_state = 'sending'")


def downgrade() -> None:
    # Not NULL (the old code would send them again): failed, with the reason.
    op.execute(
        "UPDATE alert SET notify_state = 'failed', notify_error = 'delivery unknown' "
        "WHERE notify_state = 'unknown'"
    )
    with op.batch_alter_table("alert") as batch:
        batch.drop_constraint(op.f("ck_alert_notify_state"), type_="check")
        batch.create_check_constraint(op.f("ck_alert_notify_state"), _OLD)
        for column in (
            "notify_resent_at",
            "notify_resent_by",
            "notify_exit",
            "notify_host",
            "notify_pid",
        ):
            batch.drop_column(column)
