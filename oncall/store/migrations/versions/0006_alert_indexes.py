"""Indexes for the alert service's recurring reads: they no longer scan every alert.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

A busy desk stores thousands of alerts (a night's catch-up fires hundreds at
once). What a console or watcher reads again and again should cost what is
asked, not what is stored: the unacknowledged count (``acked_at``), the
deliveries whose sender died (``notify_state``: the few ``sending``) and the
notifications nobody sent (``notify_resent_at``, beside ``fired_at``'s index).
"""

from __future__ import annotations

from alembic import op

import oncall.store.alert_models  # noqa: F401  (the table, for the shared metadata)

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_INDEXES = {
    "ix_alert_acked_at": "acked_at",
    "ix_alert_notify_state": "notify_state",
    "ix_alert_notify_resent_at": "notify_resent_at",
}


def upgrade() -> None:
    for name, column in _INDEXES.items():
        op.create_index(name, "alert", [column])


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name="alert")
