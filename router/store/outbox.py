"""The outbox: messages leaving the building, written in the transaction of their cause.

`loket worker` sends them (router/worker/outbox_job.py), at least once:

    pending --claim--> sending --delivered--> sent (never sent again)
       ^                  |--failed, tries left--> pending, later (exponential backoff)
       |                  |--failed, last try or refused for good--> flagged (for staff)
       +--the claim lapsed (a worker died mid-send)--+

A claim is committed before the send, so two workers never send one message at the same
time (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite has one worker). A worker that dies between
the channel's acknowledgement and recording it leaves a claim that lapses: that message is
sent again, the only way a chat message can arrive twice (chat platforms take no key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, func, or_, select

from router.domain.notifications import PUSH_CHANNELS, status_message
from router.domain.vocabulary import Status
from router.store.tables import OutboxMessage, Ticket, flushed_id, utcnow

PENDING, SENDING, SENT, FLAGGED = "pending", "sending", "sent", "flagged"


@dataclass(frozen=True)
class Backoff:
    """Retry n waits first * 2**(n-1), at most `cap`; after `max_attempts` tries: flagged."""

    first: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 8

    def delay(self, attempts: int) -> timedelta:
        return min(self.first * (2 ** max(attempts - 1, 0)), self.cap)


def enqueue(
    session: Session,
    *,
    channel: str,
    recipient: str,
    body: str,
    idempotency_key: str,
    ticket_id: int | None = None,
    now: datetime | None = None,
    subject: str | None = None,
) -> OutboxMessage:
    """Add a message to the outbox; the caller's transaction commits it with its cause."""
    message = OutboxMessage(
        ticket_id=ticket_id,
        channel=channel,
        recipient=recipient,
        body=body,
        subject=subject,
        idempotency_key=idempotency_key,
        next_attempt_at=now or utcnow(),
    )
    session.add(message)
    return message


def already_enqueued(session: Session, *, idempotency_key: str) -> bool:
    """Whether a message with this key was written already (whatever became of it)."""
    found = session.exec(
        select(OutboxMessage.id).where(OutboxMessage.idempotency_key == idempotency_key)
    ).first()
    return found is not None


def notify_status_change(
    session: Session,
    *,
    ticket: Ticket,
    status: Status,
    event_id: int,
    destination_name: str | None = None,
) -> OutboxMessage | None:
    """The reporter's notification of a status change, when it is news and their channel
    can be reached; keyed by the status event, so one change is one message."""
    if ticket.reporter_channel not in PUSH_CHANNELS or not ticket.reporter_address:
        return None
    body = status_message(
        status, reference=ticket.reference, title=ticket.title, destination_name=destination_name
    )
    if body is None:
        return None
    return enqueue(
        session,
        channel=ticket.reporter_channel,
        recipient=ticket.reporter_address,
        body=body,
        idempotency_key=f"{ticket.reference}/status/{event_id}",
        ticket_id=flushed_id(ticket.id),
    )


def claim_due(
    session: Session,
    *,
    channels: frozenset[str],
    now: datetime,
    lease: timedelta,
    limit: int = 50,
) -> list[OutboxMessage]:
    """Take up to `limit` due messages of `channels` for sending; the caller commits at once.

    Due: pending and its time has come, or sending with a lapsed claim. Each claimed message
    counts one more attempt and is not due again before `now + lease`."""
    query = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.channel).in_(sorted(channels)),
            or_(col(OutboxMessage.status) == PENDING, col(OutboxMessage.status) == SENDING),
            col(OutboxMessage.next_attempt_at) <= now,
        )
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = list(session.exec(query).all())
    for message in claimed:
        message.status = SENDING
        message.attempts += 1
        message.next_attempt_at = now + lease
        session.add(message)
    return claimed


def mark_sent(session: Session, *, message_id: int, acknowledgement: str, now: datetime) -> bool:
    """The channel took it: sent, never again. False when the claim was no longer ours."""
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == SENDING)
        .values(status=SENT, sent_at=now, acknowledgement=acknowledgement[:200], last_error=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_failed(
    session: Session,
    *,
    message_id: int,
    error: str,
    now: datetime,
    backoff: Backoff,
    permanent: bool = False,
) -> str:
    """A failed try: pending again after the backoff, or flagged for staff after the last
    try (or at once when the channel refused it for good). Returns the new status."""
    message = session.get_one(OutboxMessage, message_id)
    if message.status != SENDING:
        return message.status
    message.last_error = error[:300]
    if permanent or message.attempts >= backoff.max_attempts:
        message.status, message.flagged_at = FLAGGED, now
    else:
        message.status = PENDING
        message.next_attempt_at = now + backoff.delay(message.attempts)
    session.add(message)
    return message.status


def flagged(session: Session, *, limit: int = 100) -> list[OutboxMessage]:
    """Messages that could not be delivered: for staff to follow up."""
    return list(
        session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.status) == FLAGGED)
            .order_by(col(OutboxMessage.flagged_at).desc())
            .limit(limit)
        ).all()
    )


def outbox_counts(session: Session) -> dict[str, int]:
    """How many messages per status."""
    rows = session.exec(
        select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))
    ).all()
    return {status: count for status, count in rows}
