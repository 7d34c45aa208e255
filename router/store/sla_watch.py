"""The SLA check of `loket worker`: open tickets whose clock is at risk or breached are
marked, once per state, with an audit event and an e-mail to the destination's contact
through the outbox, all in one transaction per ticket.

A ticket has two clocks (router/domain/sla.py); its mark is the worse of the two that still
run: the response clock until the first response, the resolution clock until resolved
(paused while waiting for the reporter). A ticket that jumps from none to breached (a
worker that was down) is marked breached only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import structlog
from sqlmodel import Session, col, select

from router.domain.lifecycle import OPEN_STATUSES
from router.domain.org import Organisation
from router.domain.sla import (
    SLA_STATE_ORDER,
    SlaState,
    alert_body,
    alert_subject,
    alert_text,
    clock_state,
)
from router.domain.vocabulary import EventKind, Status
from router.store import outbox
from router.store import tickets as store
from router.store.tables import Ticket, TicketEvent, flushed_id

log = structlog.get_logger()
RUNNING = sorted(OPEN_STATUSES - {Status.waiting})  # waiting: the resolution clock is paused


@dataclass(frozen=True)
class Reading:
    state: SlaState
    clock: str  # "response" or "resolution"
    due: datetime


def read_clocks(ticket: Ticket, org: Organisation, now: datetime) -> Reading | None:
    """The worse of the ticket's running clocks now (None: no clock runs)."""
    calendar = org.calendar(ticket.destination)
    readings = []
    if ticket.first_response_at is None and ticket.response_due_at is not None:
        target = org.response_hours(ticket.destination, ticket.priority)
        state = clock_state(now, ticket.response_due_at, target, calendar)
        readings.append(Reading(state, "response", ticket.response_due_at))
    if ticket.status != Status.waiting and ticket.sla_due_at is not None:
        target = org.resolution_hours(ticket.destination, ticket.priority)
        state = clock_state(now, ticket.sla_due_at, target, calendar)
        readings.append(Reading(state, "resolution", ticket.sla_due_at))
    if not readings:
        return None
    return max(readings, key=lambda r: (SLA_STATE_ORDER[r.state], r.clock == "resolution"))


def candidates(session: Session) -> list[str]:
    """References of open tickets with a running clock that is not yet marked breached."""
    rows = session.exec(
        select(Ticket.reference).where(
            col(Ticket.status).in_(RUNNING), col(Ticket.sla_state) != SlaState.breached
        )
    ).all()
    return list(rows)


def mark_if_due(
    session: Session, *, reference: str, org: Organisation, now: datetime
) -> str | None:
    """Mark one ticket when a clock has reached a worse state than recorded; the new state or
    None. The ticket is read under its row lock, so two checks never mark it twice."""
    ticket = store.get_ticket(session, reference, for_update=True)
    if ticket.status not in RUNNING:
        return None
    reading = read_clocks(ticket, org, now)
    if reading is None:
        return None
    old = SlaState(ticket.sla_state)
    if SLA_STATE_ORDER[reading.state] <= SLA_STATE_ORDER[old]:
        return None
    ticket.sla_state = reading.state
    if reading.state == SlaState.at_risk:
        ticket.sla_at_risk_at = now
    else:
        ticket.sla_breached_at = now
    session.add(ticket)
    due = reading.due.astimezone(ZoneInfo(org.sla.timezone)).strftime("%d-%m-%Y %H:%M")
    contact = org.destination_contact(ticket.destination)
    note = alert_text(reading.state, reading.clock, due)
    session.add(
        TicketEvent(
            ticket_id=flushed_id(ticket.id), at=now, actor=store.SLA_ACTOR, kind=EventKind.sla,
            field="sla_state", old_value=old, new_value=reading.state,
            note=f"{note}; gemaild aan {contact}" if contact else note,
        )
    )  # fmt: skip
    if contact:
        outbox.enqueue(
            session,
            channel="email",
            recipient=contact,
            subject=alert_subject(reading.state, ticket.reference, ticket.priority),
            body=alert_body(
                reading.state, reference=ticket.reference, title=ticket.title,
                destination=org.display_name(ticket.destination), clock=reading.clock, due=due,
            ),  # fmt: skip
            idempotency_key=f"{ticket.reference}/sla/{reading.state}",
            ticket_id=flushed_id(ticket.id),
            now=now,
        )
    log.info(
        "router.sla.marked", reference=ticket.reference, state=str(reading.state),
        clock=reading.clock, destination=ticket.destination, mailed=bool(contact),
    )  # fmt: skip
    return reading.state
