"""What an employee may do with their own tickets: list, read, withdraw, reopen. Nothing else.

Someone else's ticket is answered exactly like one that does not exist.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from router.domain.errors import Conflict
from router.domain.lifecycle import OPEN_STATUSES
from router.domain.vocabulary import Status
from router.store import tickets as store
from router.store.tables import ChannelIdentity, Comment, Employee, Ticket


def find_employee(
    session: Session,
    *,
    email: str | None = None,
    channel: str | None = None,
    sender_id: str | None = None,
) -> Employee | None:
    if email:
        return session.exec(select(Employee).where(Employee.email == email.lower())).first()
    if channel and sender_id:
        identity = session.exec(
            select(ChannelIdentity).where(
                ChannelIdentity.channel == channel, ChannelIdentity.sender_id == sender_id
            )
        ).first()
        return session.get(Employee, identity.employee_id) if identity else None
    return None


def own_ticket(session: Session, *, employee: Employee | None, reference: str) -> Ticket:
    ticket = session.exec(select(Ticket).where(Ticket.reference == reference.upper())).first()
    if ticket is None or employee is None or ticket.reporter_id != employee.id:
        raise store.TicketNotFound(reference.upper())
    return ticket


def own_tickets(
    session: Session, *, employee: Employee | None, open_only: bool = True, limit: int = 20
) -> list[Ticket]:
    if employee is None:
        return []
    query = select(Ticket).where(Ticket.reporter_id == employee.id)
    if open_only:
        query = query.where(col(Ticket.status).in_(list(OPEN_STATUSES)))
    return list(session.exec(query.order_by(col(Ticket.created_at).desc()).limit(limit)).all())


def comments_to_reporter(session: Session, ticket: Ticket) -> list[Comment]:
    return list(
        session.exec(
            select(Comment)
            .where(Comment.ticket_id == ticket.id, col(Comment.to_reporter).is_(True))
            .order_by(col(Comment.id))
        ).all()
    )


def withdraw(
    session: Session, *, employee: Employee | None, reference: str, reason: str | None = None
) -> Ticket:
    ticket = own_ticket(session, employee=employee, reference=reference)
    return store.change_status(
        session,
        reference=ticket.reference,
        status=Status.withdrawn,
        actor="reporter",
        note=reason or "ingetrokken door de melder",
    )


class NotResolved(Conflict):
    def __init__(self, reference: str) -> None:
        super().__init__(f"{reference} is not resolved: only a resolved ticket can be reopened")

    def dutch(self) -> str:
        return "Deze melding is niet (meer) opgelost, dus kan ze niet weer geopend worden."


def reopen(
    session: Session, *, employee: Employee | None, reference: str, reason: str | None = None
) -> Ticket:
    """The reporter says the resolved ticket is not solved ("nee" to the notification)."""
    ticket = own_ticket(session, employee=employee, reference=reference)
    if ticket.status != Status.resolved:
        raise NotResolved(ticket.reference)
    return store.change_status(
        session,
        reference=ticket.reference,
        status=Status.reopened,
        actor="reporter",
        note=reason or "de melder geeft aan dat het nog niet is opgelost",
    )
