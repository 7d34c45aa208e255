"""Retention (AVG): closed tickets past the retention period lose their personal data and
texts; the figures of the weekly report stay exactly as they were.

`loket worker` runs this nightly (router/worker/retention_job.py), a batch of tickets per
transaction. Each anonymised ticket gets `anonymised_at`, so a second run finds nothing more
to do. Table by table, for the rows of an anonymised ticket (P: the placeholder text):

| table             | replaced or removed                         | kept                        |
|-------------------|---------------------------------------------|-----------------------------|
| ticket            | title, description, conversation, breach    | reference, municipality,    |
|                   | decision reason: P; reporter: the one       | type, application, impact,  |
|                   | shared anonymous employee; reporter         | urgency, priority, route,   |
|                   | address, route reasons (words of the text), | status, every time and SLA  |
|                   | idempotency key, request digest: emptied    | field, the FG's decision    |
| ticketevent       | note: P; old and new value of events that   | kind, field, actor, time,   |
|                   | hold text (comments): P                     | statuses, destinations      |
| comment           | text: P                                     | author (staff), time        |
| routecorrection   | text, reason: P (the retraining skips them) | destinations, how, time     |
| satisfactionscore | remark: removed                             | score, channel, time        |
| outboxmessage     | recipient, subject, body, error: P; one not | channel, status, times,     |
|                   | yet sent is flagged, so it never goes out   | idempotency key             |
| employee          | e-mail, name: removed once no ticket of     | the row (ids stay valid)    |
|                   | theirs is left and not seen in the period   |                             |
| channelidentity   | deleted with the employee's e-mail and name |                             |
| linkcode          | deleted once older than the period          |                             |

Untouched: outage, botresolution, trainingexample, staffaccount, jobstate, channelupdate,
suppliersignature, referencecounter, demoseed. They hold no reporter's data: an outage's
texts are about an application, imported history (trainingexample) is its own source.

Staff names in actors, authors and `breach_decided_by` stay: they record who did the
organisation's work, not who reported.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, exists, literal, or_, update
from sqlmodel import Session, col, select

from router.domain.retention import PLACEHOLDER, STRUCTURED_EVENT_KINDS
from router.domain.vocabulary import Status
from router.store import outbox
from router.store.tables import (
    ChannelIdentity,
    Comment,
    Employee,
    LinkCode,
    OutboxMessage,
    RouteCorrection,
    SatisfactionScore,
    Ticket,
    TicketEvent,
    UTCDateTime,
    flushed_id,
)

FINISHED = (Status.closed, Status.withdrawn)
NOT_SENT = "Niet verstuurd: de bewaartermijn van de melding is verstreken"
# What anonymise_tickets counts: rows changed per kind.
COUNTED = ("tickets", "events", "comments", "corrections", "remarks", "messages",
           "messages_unsent")  # fmt: skip
# Updates of many rows ask the database only; no object of these tables is loaded here.
_BULK: dict[str, Any] = {"synchronize_session": False}


def due_for_anonymisation(session: Session, *, closed_before: datetime, limit: int) -> list[int]:
    """Ids of tickets closed or withdrawn before `closed_before`, not yet anonymised."""
    rows = session.exec(
        select(Ticket.id)
        .where(
            col(Ticket.anonymised_at).is_(None),
            col(Ticket.closed_at) < closed_before,
            col(Ticket.status).in_(FINISHED),
        )
        .order_by(col(Ticket.closed_at), col(Ticket.id))
        .limit(limit)
    ).all()
    return [flushed_id(row) for row in rows]


def anonymise_tickets(session: Session, *, ticket_ids: list[int], now: datetime) -> dict[str, int]:
    """Replace the personal data and texts of these tickets and of every row about them (the
    module's table); counts of the rows changed. The caller commits."""
    if not ticket_ids:
        return dict.fromkeys(COUNTED, 0)
    reporter = anonymous_reporter(session)
    unsent = _unsent_messages(session, ticket_ids)  # before they are flagged below
    return {
        "messages_unsent": unsent,
        "messages": _anonymise_messages(session, ticket_ids, now),
        "events": _anonymise_events(session, ticket_ids),
        "comments": _rowcount(
            session, update(Comment).where(_of(Comment, ticket_ids)).values(text=PLACEHOLDER)
        ),
        "corrections": _rowcount(
            session,
            update(RouteCorrection)
            .where(_of(RouteCorrection, ticket_ids))
            .values(text=PLACEHOLDER, reason=_placeholder_if_set(RouteCorrection.reason)),
        ),
        "remarks": _rowcount(
            session,
            update(SatisfactionScore)
            .where(_of(SatisfactionScore, ticket_ids), col(SatisfactionScore.remark).is_not(None))
            .values(remark=None),
        ),
        "tickets": _rowcount(
            session,
            update(Ticket)
            .where(col(Ticket.id).in_(ticket_ids))
            .values(
                title=PLACEHOLDER,
                description=PLACEHOLDER,
                conversation=_placeholder_if_set(Ticket.conversation),
                breach_decision_reason=_placeholder_if_set(Ticket.breach_decision_reason),
                reporter_id=reporter,
                reporter_address=None,
                route_reasons=[],
                idempotency_key=None,
                request_digest=None,
                anonymised_at=now,
            ),
        ),
    }


def anonymous_reporter(session: Session) -> int:
    """The one employee every anonymised ticket is reported by (made at its first need)."""
    found = session.exec(
        select(Employee.id)
        .where(Employee.name == PLACEHOLDER, col(Employee.email).is_(None))
        .order_by(col(Employee.id))
    ).first()
    if found is not None:
        return found
    employee = Employee(name=PLACEHOLDER)
    session.add(employee)
    session.flush()
    return flushed_id(employee.id)


def forget_inactive_employees(session: Session, *, before: datetime, limit: int) -> int:
    """Clear the e-mail and name of up to `limit` employees without any ticket, known since
    before `before` and not linked on a channel since; their channel identities go. How
    many were forgotten (0: none left)."""
    ids = list(
        session.exec(
            select(Employee.id)
            .where(
                ~exists().where(col(Ticket.reporter_id) == col(Employee.id)),
                col(Employee.created_at) < before,
                ~exists().where(
                    col(ChannelIdentity.employee_id) == col(Employee.id),
                    col(ChannelIdentity.verified_at) >= before,
                ),
                or_(
                    col(Employee.email).is_not(None),
                    col(Employee.name).is_not(None),
                    exists().where(col(ChannelIdentity.employee_id) == col(Employee.id)),
                ),
            )
            .order_by(col(Employee.id))
            .limit(limit)
        ).all()
    )
    if not ids:
        return 0
    session.execute(delete(ChannelIdentity).where(col(ChannelIdentity.employee_id).in_(ids)))
    session.execute(
        update(Employee).where(col(Employee.id).in_(ids)).values(email=None, name=None),
        execution_options=_BULK,
    )
    return len(ids)


def prune_link_codes(session: Session, *, before: datetime) -> int:
    """Delete the linking codes asked before `before` (an address and a chat account each)."""
    result = session.execute(delete(LinkCode).where(col(LinkCode.created_at) < before))
    return int(result.rowcount)  # type: ignore[attr-defined]


def _of(table: Any, ticket_ids: list[int]) -> ColumnElement[bool]:
    return col(table.ticket_id).in_(ticket_ids)


def _placeholder_if_set(column: Any) -> Any:
    """The placeholder where the column holds a text; NULL stays NULL."""
    return case((col(column).is_not(None), literal(PLACEHOLDER)), else_=None)


def _rowcount(session: Session, statement: Any) -> int:
    result = session.execute(statement, execution_options=_BULK)
    return int(result.rowcount)  # type: ignore[attr-defined]


def _anonymise_events(session: Session, ticket_ids: list[int]) -> int:
    """Every note, and the values of the events that hold text (STRUCTURED_EVENT_KINDS)."""
    texts = col(TicketEvent.kind).not_in(sorted(STRUCTURED_EVENT_KINDS))
    return _rowcount(
        session,
        update(TicketEvent)
        .where(
            _of(TicketEvent, ticket_ids),
            or_(
                col(TicketEvent.note).is_not(None),
                and_(
                    texts,
                    or_(
                        col(TicketEvent.old_value).is_not(None),
                        col(TicketEvent.new_value).is_not(None),
                    ),
                ),
            ),
        )
        .values(
            note=_placeholder_if_set(TicketEvent.note),
            old_value=case(
                (and_(texts, col(TicketEvent.old_value).is_not(None)), literal(PLACEHOLDER)),
                else_=col(TicketEvent.old_value),
            ),
            new_value=case(
                (and_(texts, col(TicketEvent.new_value).is_not(None)), literal(PLACEHOLDER)),
                else_=col(TicketEvent.new_value),
            ),
        ),
    )


def _unsent() -> ColumnElement[bool]:
    return col(OutboxMessage.status).in_([outbox.PENDING, outbox.SENDING])


def _unsent_messages(session: Session, ticket_ids: list[int]) -> int:
    return len(
        session.exec(
            select(OutboxMessage.id).where(_of(OutboxMessage, ticket_ids), _unsent())
        ).all()
    )


def _anonymise_messages(session: Session, ticket_ids: list[int], now: datetime) -> int:
    """Sent and flagged messages keep their status; one still waiting is flagged, never to go
    out (after the retention period there is nobody to tell)."""
    return _rowcount(
        session,
        update(OutboxMessage)
        .where(_of(OutboxMessage, ticket_ids))
        .values(
            recipient=PLACEHOLDER,
            body=PLACEHOLDER,
            subject=_placeholder_if_set(OutboxMessage.subject),
            last_error=case(
                (_unsent(), literal(NOT_SENT)),
                else_=_placeholder_if_set(OutboxMessage.last_error),
            ),
            flagged_at=case(
                (_unsent(), literal(now, UTCDateTime())), else_=col(OutboxMessage.flagged_at)
            ),
            status=case((_unsent(), literal(outbox.FLAGGED)), else_=col(OutboxMessage.status)),
        ),
    )
