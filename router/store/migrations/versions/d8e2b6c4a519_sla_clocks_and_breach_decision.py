"""SLA clocks (response, pause, at risk / breached) and the FG's decision on a data breach

Revision ID: d8e2b6c4a519
Revises: c3a7f1e9d241
Create Date: 2026-11-30 20:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import router.store.tables

revision: str = "d8e2b6c4a519"
down_revision: str | None = "c3a7f1e9d241"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DATES = (
    "response_due_at", "waiting_since", "sla_at_risk_at", "sla_breached_at",
    "breach_decided_at", "ap_notified_at",
)  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        for name in _DATES:
            batch_op.add_column(
                sa.Column(name, router.store.tables.UTCDateTime(), nullable=True)
            )
        batch_op.add_column(
            sa.Column("sla_paused_seconds", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("sla_state", sa.String(length=16), server_default="none", nullable=False)
        )
        batch_op.add_column(sa.Column("breach_decision", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("breach_decision_reason", router.store.tables.MaskedText(), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "breach_decided_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("ap_reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        for name in (
            *_DATES, "sla_paused_seconds", "sla_state", "breach_decision",
            "breach_decision_reason", "breach_decided_by", "ap_reference",
        ):  # fmt: skip
            batch_op.drop_column(name)
