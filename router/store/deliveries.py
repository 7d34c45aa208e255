"""What left the building once and must not leave twice: each sent message is recorded as a
sent OutboxMessage whose idempotency key names what was sent to whom (e.g. the weekly report
of one week for one address), so that a job run again after a crash skips what it already
delivered (store functions)."""

from __future__ import annotations

from sqlmodel import Session, select

from router.store.tables import OutboxMessage, utcnow


def _key(kind: str, target: str, key: str) -> str:
    return f"{kind}|{key}|{target.lower()}"


def already_sent(session: Session, *, kind: str, target: str, key: str) -> bool:
    found = session.exec(
        select(OutboxMessage.id).where(OutboxMessage.idempotency_key == _key(kind, target, key))
    ).first()
    return found is not None


def record_sent(session: Session, *, kind: str, target: str, key: str, details: dict) -> None:
    """A message delivered now; its body says what it was (no free text of tickets)."""
    now = utcnow()
    summary = ", ".join(f"{name}={value}" for name, value in sorted(details.items()))
    session.add(
        OutboxMessage(
            channel=kind.split(":", 1)[0], recipient=target, body=f"{kind} {key} ({summary})",
            idempotency_key=_key(kind, target, key), status="sent", attempts=1,
            next_attempt_at=now, created_at=now, sent_at=now,
        )
    )  # fmt: skip
    session.flush()
