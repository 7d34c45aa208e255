"""a major incident's lead ticket: the one that carries it to the supplier

Revision ID: e5b1d9c3f742
Revises: d8e2b6c4a519
Create Date: 2026-11-30 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "e5b1d9c3f742"
down_revision: str | None = "d8e2b6c4a519"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outage", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lead_reference", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outage", schema=None) as batch_op:
        batch_op.drop_column("lead_reference")
