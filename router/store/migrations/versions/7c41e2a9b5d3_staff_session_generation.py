"""staff session generation: signing out ends every session issued before

Revision ID: 7c41e2a9b5d3
Revises: b7e2c4a91f30
Create Date: 2026-11-30 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c41e2a9b5d3"
down_revision: str | None = "b7e2c4a91f30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staffaccount") as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("staffaccount") as batch_op:
        batch_op.drop_column("session_generation")
