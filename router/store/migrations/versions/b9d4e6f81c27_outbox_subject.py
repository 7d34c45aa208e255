"""an e-mail subject on outbox messages (supplier forwarding, alerts, the FG)

Revision ID: b9d4e6f81c27
Revises: a8c3e5f71b20
Create Date: 2026-11-30 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import router.store.tables

revision: str = "b9d4e6f81c27"
down_revision: str | None = "a8c3e5f71b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subject", router.store.tables.MaskedText(length=200), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("subject")
