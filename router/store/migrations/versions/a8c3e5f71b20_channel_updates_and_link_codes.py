"""chat updates already handled, and the one-time codes that link a chat account

Revision ID: a8c3e5f71b20
Revises: f1d0c7a2b4e6
Create Date: 2026-12-02 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import router.store.tables

revision: str = "a8c3e5f71b20"
down_revision: str | None = "f1d0c7a2b4e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channelupdate",
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("update_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("received_at", router.store.tables.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "update_id"),
    )
    with op.batch_alter_table("channelupdate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_channelupdate_received_at"), ["received_at"], unique=False
        )
    op.create_table(
        "linkcode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("sender_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("code_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", router.store.tables.UTCDateTime(), nullable=False),
        sa.Column("expires_at", router.store.tables.UTCDateTime(), nullable=False),
        sa.Column("used_at", router.store.tables.UTCDateTime(), nullable=True),
        sa.Column("wrong_attempts", sa.Integer(), nullable=False),
        sa.Column("blocked_until", router.store.tables.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("linkcode", schema=None) as batch_op:
        batch_op.create_index(
            "ix_linkcode_sender_created", ["channel", "sender_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_linkcode_email_created", ["email", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("linkcode", schema=None) as batch_op:
        batch_op.drop_index("ix_linkcode_email_created")
        batch_op.drop_index("ix_linkcode_sender_created")
    op.drop_table("linkcode")
    with op.batch_alter_table("channelupdate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channelupdate_received_at"))
    op.drop_table("channelupdate")
