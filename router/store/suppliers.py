"""A supplier as a contract partner: its open tickets, what it resolved in a period, and the
tickets whose answer was sent back (reopened). Read-only; the workspace's supplier page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from router.domain.lifecycle import OPEN_STATUSES
from router.domain.vocabulary import EventKind, Status
from router.store.tables import Ticket, TicketEvent


@dataclass(frozen=True)
class SupplierTickets:
    open: list[Ticket]  # most urgent (earliest resolution due time) first
    resolved: list[Ticket]  # resolved since the start of the period
    reopened: list[Ticket]  # reopened since the start of the period


def supplier_tickets(
    session: Session, *, destination: str, municipality: str | None, since: datetime
) -> SupplierTickets:
    """The supplier's tickets (a coordinator's municipality only, when given)."""
    mine = select(Ticket).where(Ticket.destination == destination)
    if municipality is not None:
        mine = mine.where(Ticket.municipality == municipality)
    still_open = mine.where(col(Ticket.status).in_(list(OPEN_STATUSES)))
    resolved = mine.where(col(Ticket.resolved_at).is_not(None), col(Ticket.resolved_at) >= since)
    sent_back = select(TicketEvent.ticket_id).where(
        TicketEvent.kind == EventKind.status,
        TicketEvent.new_value == Status.reopened,
        col(TicketEvent.at) >= since,
    )
    reopened = mine.where(col(Ticket.id).in_(sent_back))
    return SupplierTickets(
        open=list(session.exec(still_open.order_by(col(Ticket.sla_due_at), col(Ticket.id))).all()),
        resolved=list(session.exec(resolved.order_by(col(Ticket.resolved_at))).all()),
        reopened=list(session.exec(reopened.order_by(col(Ticket.updated_at).desc())).all()),
    )
