"""The customer archive: requirements and usage notes; faults logged out of warranty.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

The contract's 用户专用档案 keeps, besides the systems and contacts, what the
customer asks of the service (``requirements``) and how it uses its systems
(``usage_notes``): free text, empty on the customers there are. A fault logged
after its customer's warranty ended is still logged, marked ``out_of_warranty``
(false on the faults there are: the desk did not check before).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN, never a batch: on SQLite a batch copies the table and drops
# the old one, which the foreign keys of the rows that point at it refuse.
def upgrade() -> None:
    op.add_column(
        "customer", sa.Column("requirements", sa.Text(), nullable=False, server_default="")
    )
    op.add_column(
        "customer", sa.Column("usage_notes", sa.Text(), nullable=False, server_default="")
    )
    op.add_column(
        "fault",
        sa.Column("out_of_warranty", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("fault", "out_of_warranty")
    op.drop_column("customer", "usage_notes")
    op.drop_column("customer", "requirements")
