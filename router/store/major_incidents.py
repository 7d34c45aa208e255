"""Major incidents: a known outage (Outage) with the tickets about it linked to it.

One concept: a major incident is an outage with linked tickets. It goes to the supplier once,
through its lead ticket and the ordinary forwarding (router/store/forwarding.py refuses to
forward any other linked ticket); closing it resolves every linked open ticket, each with an
audit event and the reporter's notification in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select

from router.domain.errors import Conflict, InvalidInput
from router.domain.lifecycle import OPEN_STATUSES
from router.domain.org import Organisation
from router.domain.vocabulary import EventKind, OutageStatus, Status
from router.store import outages
from router.store import tickets as store
from router.store.tables import Outage, Ticket, TicketEvent, flushed_id, utcnow


class NotLinkable(Conflict):
    """The outage is closed, or the ticket is no longer open."""

    def dutch(self) -> str:
        return str(self)


def link_ticket(session: Session, *, outage_id: int, reference: str, actor: str) -> Ticket:
    """Link an open ticket to an open outage (again: nothing changes). The first ticket
    linked to an outage without one becomes its lead."""
    outage = outages.get_outage(session, outage_id)
    if outage.status != OutageStatus.open:
        raise NotLinkable(f"De storing '{outage.title}' is gesloten; koppelen kan niet meer.")
    ticket = store.get_ticket(session, reference, for_update=True)
    if ticket.outage_id == outage.id:
        return ticket
    if ticket.status not in OPEN_STATUSES:
        raise NotLinkable(f"{ticket.reference} is niet meer open; koppelen kan niet.")
    lead = outage.lead_reference is None
    if lead:
        outage.lead_reference = ticket.reference
    outage.updated_at = utcnow()
    session.add(outage)
    previous = ticket.outage_id
    ticket.outage_id = outage.id
    ticket.updated_at = outage.updated_at
    session.add(ticket)
    session.add(
        TicketEvent(
            ticket_id=flushed_id(ticket.id),
            actor=actor,
            kind=EventKind.linked,
            field="outage",
            old_value=f"#{previous}" if previous else None,
            new_value=f"#{outage.id}",
            note=f"{outage.title}{' (hoofdmelding)' if lead else ''}",
        )  # fmt: skip
    )
    session.flush()
    return ticket


def open_major_incident(
    session: Session, *, title: str, references: list[str], actor: str, description: str = ""
) -> Outage:
    """Open an outage for a set of tickets and link them all; the oldest is the lead, and its
    application is the outage's (every municipality that uses it: new reports link too)."""
    wanted = list(dict.fromkeys(r.upper() for r in references))
    if not wanted:
        raise InvalidInput("Kies de meldingen die bij de grote storing horen.")
    tickets = sorted(
        (store.get_ticket(session, r) for r in wanted), key=lambda t: (t.created_at, t.id or 0)
    )
    outage = outages.open_outage(
        session,
        title=title,
        application=tickets[0].application,
        municipalities=[],
        description=description,
    )
    for ticket in tickets:
        link_ticket(session, outage_id=flushed_id(outage.id), reference=ticket.reference,
                    actor=actor)  # fmt: skip
    return outage


def linked_tickets(session: Session, *, outage_id: int, open_only: bool = False) -> list[Ticket]:
    """The tickets linked to an outage, oldest first."""
    query = select(Ticket).where(Ticket.outage_id == outage_id)
    if open_only:
        query = query.where(col(Ticket.status).in_(sorted(OPEN_STATUSES)))
    return list(session.exec(query.order_by(col(Ticket.created_at), col(Ticket.id))).all())


def is_led_elsewhere(session: Session, ticket: Ticket) -> Outage | None:
    """The open outage this ticket is linked to when another open ticket carries it to the
    supplier: then this one is never forwarded on its own. A lead that is no longer open (its
    reporter withdrew it) leads nothing: the next linked ticket forwarded takes its place."""
    if ticket.outage_id is None:
        return None
    outage = session.get(Outage, ticket.outage_id)
    if outage is None or outage.status != OutageStatus.open:
        return None
    if outage.lead_reference in (None, ticket.reference):
        return None
    lead = session.exec(select(Ticket).where(Ticket.reference == outage.lead_reference)).first()
    return outage if lead is not None and lead.status in OPEN_STATUSES else None


def take_the_lead(session: Session, ticket: Ticket) -> None:
    """The ticket goes to the supplier for its open outage: it leads it from now on."""
    outage = session.get(Outage, ticket.outage_id) if ticket.outage_id else None
    if outage is None or outage.status != OutageStatus.open:
        return
    if outage.lead_reference != ticket.reference:
        outage.lead_reference = ticket.reference
        outage.updated_at = utcnow()
        session.add(outage)


def close_outage(
    session: Session,
    *,
    outage_id: int,
    actor: str,
    org: Organisation | None = None,
    note: str | None = None,
) -> list[Ticket]:
    """Close the outage and resolve every linked open ticket: an audit event each (by the
    staff member, naming the outage) and the reporter's notification through the outbox, in
    the caller's transaction. Returns the tickets it resolved."""
    outage = outages.update_outage(session, outage_id=outage_id, close=True)
    why = f"Opgelost met de storing '{outage.title}' (#{outage.id})"
    if note and note.strip():
        why += f": {note.strip()}"
    resolved = []
    for ticket in linked_tickets(session, outage_id=outage_id, open_only=True):
        resolved.append(
            store.change_status(
                session,
                reference=ticket.reference,
                status=Status.resolved,
                actor=actor,
                note=why,
                org=org,
            )  # fmt: skip
        )
    return resolved


def bursts(
    session: Session,
    *,
    now: datetime,
    tickets: int,
    minutes: int,
    municipality: str | None = None,
) -> list[list[Ticket]]:
    """Groups of at least `tickets` open, unlinked tickets about one application that arrived
    within the last `minutes`: each a major incident waiting to be opened. Largest first."""
    query = select(Ticket).where(
        col(Ticket.created_at) >= now - timedelta(minutes=minutes),
        col(Ticket.application).is_not(None),
        col(Ticket.outage_id).is_(None),
        col(Ticket.status).in_(sorted(OPEN_STATUSES)),
    )
    if municipality is not None:
        query = query.where(Ticket.municipality == municipality)
    groups: dict[str, list[Ticket]] = {}
    for ticket in session.exec(query.order_by(col(Ticket.created_at), col(Ticket.id))).all():
        groups.setdefault(ticket.application or "", []).append(ticket)
    found = [group for group in groups.values() if len(group) >= tickets]
    return sorted(found, key=lambda g: (-len(g), g[0].application or ""))


def similarity_candidates(
    session: Session, *, ticket: Ticket, since: datetime, limit: int = 500
) -> list[Ticket]:
    """Open tickets since `since`, not linked to any outage, of the ticket's application or
    of none (text alone cannot tell applications apart): to compare the ticket with."""
    query = select(Ticket).where(
        col(Ticket.created_at) >= since,
        col(Ticket.outage_id).is_(None),
        col(Ticket.status).in_(sorted(OPEN_STATUSES)),
        col(Ticket.id) != ticket.id,
    )
    if ticket.application is not None:
        query = query.where(
            or_(col(Ticket.application) == ticket.application, col(Ticket.application).is_(None))
        )
    return list(session.exec(query.order_by(col(Ticket.created_at).desc()).limit(limit)).all())
