"""signatures of suppliers' updates already applied (replays are refused)

Revision ID: c3a7f1e9d241
Revises: b9d4e6f81c27
Create Date: 2026-11-30 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import router.store.tables

revision: str = "c3a7f1e9d241"
down_revision: str | None = "b9d4e6f81c27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "suppliersignature",
        sa.Column("signature", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("supplier", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("received_at", router.store.tables.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("signature"),
    )
    with op.batch_alter_table("suppliersignature", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suppliersignature_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("suppliersignature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suppliersignature_received_at"))
    op.drop_table("suppliersignature")
