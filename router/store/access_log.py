"""The access log (issue 17): one row each time a staff member opens a ticket's contents or
exports them. Written, never changed; read by admins, filtered by ticket and by staff member.

It holds no ticket text, only the ticket's id and reference, who, when and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from router.domain.access_log import AccessWhy, required_reason
from router.store.tables import Ticket, TicketAccess, flushed_id, utcnow

PER_PAGE = 50


def record_access(
    session: Session,
    *,
    staff: str,
    tickets: Sequence[Ticket],
    why: AccessWhy,
    reason: str | None = None,
    now: datetime | None = None,
) -> list[TicketAccess]:
    """One entry per ticket. An export needs a typed reason; other views carry none."""
    reason = required_reason(reason) if why == AccessWhy.export else None
    at = now or utcnow()
    entries = [
        TicketAccess(
            at=at,
            staff=staff,
            ticket_id=flushed_id(ticket.id),
            reference=ticket.reference,
            why=why,
            reason=reason,
        )
        for ticket in tickets
    ]
    session.add_all(entries)
    session.flush()
    return entries


def access_entries(
    session: Session,
    *,
    reference: str | None = None,
    staff: str | None = None,
    page: int = 1,
) -> tuple[list[TicketAccess], int]:
    """A page of the log, newest first, and how many entries match in all."""
    query = _filtered(select(TicketAccess), reference=reference, staff=staff)
    total = session.exec(
        _filtered(select(func.count()).select_from(TicketAccess), reference=reference,
                  staff=staff)
    ).one()  # fmt: skip
    rows = session.exec(
        query.order_by(col(TicketAccess.at).desc(), col(TicketAccess.id).desc())
        .limit(PER_PAGE)
        .offset((max(page, 1) - 1) * PER_PAGE)
    ).all()
    return list(rows), total


def _filtered(
    query: SelectOfScalar, *, reference: str | None, staff: str | None
) -> SelectOfScalar:
    if reference:
        query = query.where(TicketAccess.reference == reference.strip().upper())
    if staff:
        query = query.where(func.lower(TicketAccess.staff) == staff.strip().lower())
    return query
