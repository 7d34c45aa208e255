"""job state: the last run of each background job of `loket worker`

Revision ID: e3a1c5d7f920
Revises: 7c41e2a9b5d3
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import router.store.tables

revision: str = "e3a1c5d7f920"
down_revision: str | None = "7c41e2a9b5d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jobstate",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("last_started_at", router.store.tables.UTCDateTime(), nullable=True),
        sa.Column("last_finished_at", router.store.tables.UTCDateTime(), nullable=True),
        sa.Column("last_outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("last_worker", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("last_detail", sa.JSON(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("jobstate")
