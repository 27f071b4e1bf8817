"""Withdrawn alerts: when and why the stored history took an alert back.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

An entry logged after the fact (a response or resolution back-dated before a
deadline) can show that an alert which fired should not have: its clock had
stopped in time. The alert service then marks it withdrawn: kept in the list,
out of the unacknowledged count, and never handed to the notify command if it
was not sent yet. ``withdrawn_at`` is when the service found it, and
``withdrawn_reason`` says which stop made it so.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oncall.store.alert_models  # noqa: F401  (the table, for the shared metadata)

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("withdrawn_reason", sa.String(200), nullable=True))


def downgrade() -> None:
    # The older code knows no withdrawal: a withdrawn alert left unacknowledged would
    # count again, and one not sent would be sent. Acknowledge those by the system,
    # and mark the unsent ones failed with the reason, so that nothing pages late.
    op.execute(
        "UPDATE alert SET acked_by = 'withdrawn', acked_at = withdrawn_at "
        "WHERE withdrawn_at IS NOT NULL AND acked_at IS NULL"
    )
    op.execute(
        "UPDATE alert SET notify_state = 'failed', notify_error = 'withdrawn' "
        "WHERE withdrawn_at IS NOT NULL AND notify_state IS NULL"
    )
    with op.batch_alter_table("alert") as batch:
        batch.drop_column("withdrawn_reason")
        batch.drop_column("withdrawn_at")
