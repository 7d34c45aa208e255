"""notification outbox and the reporter's channel on each ticket

Revision ID: f1d0c7a2b4e6
Revises: e3a1c5d7f902
Create Date: 2026-12-02 10:00:00.000000

The initial schema's outboxmessage table was never written to: it is replaced by the outbox
`loket worker` sends from (channel, recipient, body, idempotency key, attempts, next attempt,
sent/acknowledged, flagged). A ticket remembers the channel and address its reporter used,
so that news reaches them there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import router.store.tables

revision: str = "f1d0c7a2b4e6"
down_revision: str | None = "e3a1c5d7f902"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_index("ix_outboxmessage_ticket_id")
        batch_op.drop_index("ix_outbox_pending")
    op.drop_table("outboxmessage")
    op.create_table(
        "outboxmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("body", router.store.tables.MaskedText(), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", router.store.tables.UTCDateTime(), nullable=False),
        sa.Column("last_error", router.store.tables.MaskedText(length=300), nullable=True),
        sa.Column("created_at", router.store.tables.UTCDateTime(), nullable=False),
        sa.Column("sent_at", router.store.tables.UTCDateTime(), nullable=True),
        sa.Column("acknowledgement", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("flagged_at", router.store.tables.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ux_outbox_idempotency_key", ["idempotency_key"], unique=True)
        batch_op.create_index(batch_op.f("ix_outboxmessage_ticket_id"), ["ticket_id"], unique=False)
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reporter_channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "reporter_address", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("reporter_address")
        batch_op.drop_column("reporter_channel")
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_index("ix_outboxmessage_ticket_id")
        batch_op.drop_index("ux_outbox_idempotency_key")
        batch_op.drop_index("ix_outbox_due")
    op.drop_table("outboxmessage")
    op.create_table(
        "outboxmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", router.store.tables.UTCDateTime(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", router.store.tables.UTCDateTime(), nullable=False),
        sa.Column("sent_at", router.store.tables.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_pending", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outboxmessage_ticket_id"), ["ticket_id"], unique=False)
