"""partial indexes on the audit trail's changes to resolved and to waiting (weekly report)

Revision ID: 15a37c8c09bc
Revises: f4775aa02b48
Create Date: 2026-12-01 00:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "15a37c8c09bc"
down_revision: str | None = "f4775aa02b48"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_ticketevent_resolved_at": "kind = 'status' AND new_value = 'resolved'",
    "ix_ticketevent_waiting_at": "kind = 'status' AND new_value = 'waiting'",
}


def upgrade() -> None:
    with op.batch_alter_table("ticketevent", schema=None) as batch_op:
        for name, condition in INDEXES.items():
            batch_op.create_index(
                name,
                ["at", "ticket_id", "kind", "new_value"],
                unique=False,
                postgresql_where=sa.text(condition),
                sqlite_where=sa.text(condition),
            )


def downgrade() -> None:
    with op.batch_alter_table("ticketevent", schema=None) as batch_op:
        for name in reversed(INDEXES):
            batch_op.drop_index(name)
