"""Satisfaction scores of resolved tickets: recorded by staff (a score given by phone) and,
once the channels notify employees, by the assistant (store functions)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from router.domain.errors import InvalidInput
from router.domain.vocabulary import Status
from router.store.tables import SatisfactionScore, Ticket, flushed_id, utcnow

SCORES = range(1, 6)
_SCORED_STATUSES = frozenset({Status.resolved, Status.closed})


class ScoreError(InvalidInput):
    def dutch(self) -> str:
        return str(self)


def record_satisfaction(
    session: Session,
    *,
    ticket: Ticket,
    score: int,
    remark: str | None,
    channel: str,
    recorded_by: str,
) -> SatisfactionScore:
    """One score (1-5) for a resolved or closed ticket; a later score is kept beside it."""
    if score not in SCORES:
        raise ScoreError("Een score is een heel getal van 1 tot en met 5.")
    if ticket.status not in _SCORED_STATUSES:
        raise ScoreError("Alleen een opgeloste of gesloten melding krijgt een score.")
    row = SatisfactionScore(
        ticket_id=flushed_id(ticket.id),
        score=score,
        remark=(remark or "").strip()[:2000] or None,
        channel=channel,
        recorded_by=recorded_by,
        at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def scores_of(session: Session, ticket: Ticket) -> list[SatisfactionScore]:
    return list(
        session.exec(
            select(SatisfactionScore)
            .where(SatisfactionScore.ticket_id == ticket.id)
            .order_by(col(SatisfactionScore.id))
        ).all()
    )
