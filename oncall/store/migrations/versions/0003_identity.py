"""Identity: roster leads, and who really wrote each audit event.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07

- ``engineer.lead``: leads change the roster and may act on someone's behalf.
  An existing roster gets its first engineer (the earliest ``created_at``) as
  its lead, as a new roster does, so that someone can still change it.
- ``audit_event.real_user``: the OS user of the process that wrote the event
  (``os_user`` stays the engineer it is recorded as). NULL on older rows.
- ``audit_event.db_user``: on PostgreSQL the database role of the session
  that wrote the row, filled by the database (a server default, and a trigger
  so that a client cannot write another name). NULL on SQLite, which has no
  roles.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column(
        "engineer", sa.Column("lead", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    engineer = sa.table("engineer", sa.column("lead", sa.Boolean()), sa.column("created_at"))
    first = sa.select(sa.func.min(engineer.c.created_at)).scalar_subquery()
    op.execute(engineer.update().where(engineer.c.created_at == first).values(lead=True))
    op.add_column("audit_event", sa.Column("real_user", sa.String(64), nullable=True))
    op.add_column(
        "audit_event",
        sa.Column(
            "db_user",
            sa.String(64),
            nullable=True,
            server_default=sa.text("session_user") if postgres else None,
        ),
    )
    if postgres:
        # session_user, not current_user: the role that logged in, which a
        # SET ROLE inside the session cannot change.
        op.execute(
            "CREATE FUNCTION audit_event_db_user() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN NEW.db_user := session_user; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_db_user BEFORE INSERT ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_db_user()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_db_user ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_db_user()")
    op.drop_column("audit_event", "db_user")
    op.drop_column("audit_event", "real_user")
    op.drop_column("engineer", "lead")
