"""What left the building once and must not leave twice: each sent message is recorded as a
sent OutboxMessage under a key (e.g. the weekly report for one address), so that a job run
again after a crash skips what it already delivered (store functions)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from router.store.tables import OutboxMessage, utcnow


def already_sent(session: Session, *, kind: str, target: str, key: str) -> bool:
    rows = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.kind == kind,
            OutboxMessage.target == target,
            OutboxMessage.status == "sent",
        ).order_by(col(OutboxMessage.id).desc()).limit(500)
    ).all()  # fmt: skip
    return any(row.payload.get("key") == key for row in rows)


def record_sent(session: Session, *, kind: str, target: str, key: str, details: dict) -> None:
    """A message delivered now (no free text in it: a key and its details)."""
    now = utcnow()
    session.add(
        OutboxMessage(
            kind=kind, target=target, payload={"key": key, **details}, status="sent",
            attempts=1, next_attempt_at=now, created_at=now, sent_at=now,
        )
    )  # fmt: skip
    session.flush()
