"""ticket idempotency key

Revision ID: b7e2c4a91f30
Revises: 1461cc2c1b31
Create Date: 2026-11-24 10:00:00.000000

POST /api/tickets takes an Idempotency-Key header: a retried request returns the ticket the
first one stored. The unique index makes two racing requests with one key store one ticket;
request_digest tells a retry from a different request that reuses the key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "b7e2c4a91f30"
down_revision: str | None = "1461cc2c1b31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("request_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index("ux_ticket_idempotency_key", ["idempotency_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ux_ticket_idempotency_key")
        batch_op.drop_column("request_digest")
        batch_op.drop_column("idempotency_key")
