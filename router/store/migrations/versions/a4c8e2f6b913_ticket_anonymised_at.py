"""ticket anonymised_at: the retention job's mark

Revision ID: a4c8e2f6b913
Revises: e5b1d9c3f742
Create Date: 2026-12-02 10:00:00.000000

A closed or withdrawn ticket past the retention period (LOKET_RETENTION_MONTHS) has its
personal data and texts replaced by `loket worker` (router/store/retention.py); this is when.
The index serves the job's nightly look-up: not yet anonymised, closed before the cutoff.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import router.store.tables

revision: str = "a4c8e2f6b913"
down_revision: str | None = "e5b1d9c3f742"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("anonymised_at", router.store.tables.UTCDateTime(), nullable=True)
        )
        batch_op.create_index("ix_ticket_anonymised_closed", ["anonymised_at", "closed_at"])


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_anonymised_closed")
        batch_op.drop_column("anonymised_at")
