"""weekly report: satisfaction scores, demo-seed marker, staff e-mail

Revision ID: e3a1c5d7f902
Revises: e3a1c5d7f920
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import router.store.tables

revision: str = "e3a1c5d7f902"
down_revision: str | None = "e3a1c5d7f920"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "satisfactionscore",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("remark", router.store.tables.MaskedText(), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("at", router.store.tables.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_satisfactionscore_ticket_id", "satisfactionscore", ["ticket_id"])
    op.create_index("ix_satisfactionscore_at", "satisfactionscore", ["at"])
    op.create_table(
        "demoseed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", router.store.tables.UTCDateTime(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.Column("first_ticket_id", sa.Integer(), nullable=True),
        sa.Column("last_ticket_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staffaccount") as batch_op:
        batch_op.add_column(
            sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("staffaccount") as batch_op:
        batch_op.drop_column("email")
    op.drop_table("demoseed")
    op.drop_index("ix_satisfactionscore_at", table_name="satisfactionscore")
    op.drop_index("ix_satisfactionscore_ticket_id", table_name="satisfactionscore")
    op.drop_table("satisfactionscore")
