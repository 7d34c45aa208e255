"""What the store holds of one employee, for their right of access (AVG art. 15, issue 17):
their record, the chat accounts linked to it, their tickets with the conversation stored
with each, the comments to them and their own words on the tickets.

Staff's internal comments and notes are not the employee's data and stay out. Text is as
the store holds it: a BSN or IBAN was masked on its way in and stays masked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from router.store.self_service import find_employee
from router.store.tables import (
    ChannelIdentity,
    Comment,
    Employee,
    SatisfactionScore,
    Ticket,
    TicketEvent,
)

# The actor and author the store writes for what the employee did themselves (withdrawing,
# reopening: router/store/self_service.py).
REPORTER = "reporter"


@dataclass(frozen=True)
class TicketData:
    ticket: Ticket
    comments: list[Comment]  # to the reporter, and the reporter's own
    own_notes: list[TicketEvent]  # the reporter's reasons to withdraw or reopen
    scores: list[SatisfactionScore]  # the satisfaction scores they gave


@dataclass(frozen=True)
class EmployeeData:
    employee: Employee
    identities: list[ChannelIdentity]
    tickets: list[TicketData]


def employee_data(session: Session, *, email: str) -> EmployeeData | None:
    """Everything above for the employee with this e-mail address; None if unknown."""
    employee = find_employee(session, email=email.strip())
    if employee is None:
        return None
    tickets = session.exec(
        select(Ticket).where(Ticket.reporter_id == employee.id).order_by(col(Ticket.id))
    ).all()
    identities = session.exec(
        select(ChannelIdentity)
        .where(ChannelIdentity.employee_id == employee.id)
        .order_by(col(ChannelIdentity.id))
    ).all()
    return EmployeeData(
        employee=employee,
        identities=list(identities),
        tickets=[_ticket_data(session, ticket) for ticket in tickets],
    )


def _ticket_data(session: Session, ticket: Ticket) -> TicketData:
    comments = session.exec(
        select(Comment)
        .where(Comment.ticket_id == ticket.id)
        .where(or_(col(Comment.to_reporter).is_(True), Comment.author == REPORTER))
        .order_by(col(Comment.id))
    ).all()
    notes = session.exec(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.actor == REPORTER)
        .where(col(TicketEvent.note).is_not(None))
        .order_by(col(TicketEvent.id))
    ).all()
    scores = session.exec(
        select(SatisfactionScore)
        .where(SatisfactionScore.ticket_id == ticket.id)
        .order_by(col(SatisfactionScore.id))
    ).all()
    return TicketData(ticket, list(comments), list(notes), list(scores))
