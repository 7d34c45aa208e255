"""the access log: who opened a ticket's contents, when and why (no ticket text)

Revision ID: f4775aa02b48
Revises: a4c8e2f6b913
Create Date: 2026-12-07 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import router.store.tables

revision: str = "f4775aa02b48"
down_revision: str | None = "a4c8e2f6b913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ticketaccess",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", router.store.tables.UTCDateTime(), nullable=False),
        sa.Column("staff", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("why", sa.String(length=16), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ticketaccess", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticketaccess_at"), ["at"], unique=False)
        batch_op.create_index("ix_ticketaccess_reference_at", ["reference", "at"], unique=False)
        batch_op.create_index("ix_ticketaccess_staff_at", ["staff", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticketaccess", schema=None) as batch_op:
        batch_op.drop_index("ix_ticketaccess_staff_at")
        batch_op.drop_index("ix_ticketaccess_reference_at")
        batch_op.drop_index(batch_op.f("ix_ticketaccess_at"))
    op.drop_table("ticketaccess")
