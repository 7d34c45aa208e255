"""The ticket store: keyword-only functions over a session; they know nothing of HTTP.

Every change writes an append-only TicketEvent; free text is masked before it is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import ColumnElement, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from router.domain import breach
from router.domain.errors import InvalidInput, NotFound
from router.domain.lifecycle import OPEN_STATUSES, check_transition
from router.domain.org import Level, Organisation
from router.domain.route import Route
from router.domain.sla import business_seconds, clocks
from router.domain.vocabulary import ROUTED_HOW_LABELS, EventKind, RoutedHow, Status, TicketType
from router.store import outbox
from router.store.outages import current_outages
from router.store.tables import (
    ChannelIdentity,
    Comment,
    Employee,
    Outage,
    ReferenceCounter,
    RouteCorrection,
    Ticket,
    TicketEvent,
    flushed_id,
    utcnow,
)

log = structlog.get_logger()
REFERENCE = re.compile(r"^M-(\d{4})-(\d{6})$")
URGENT_TYPES = frozenset({TicketType.security_incident, TicketType.data_breach})
BREACH_NOTIFY = breach.NOTIFY_WITHIN  # AVG art. 33: notify the Autoriteit Persoonsgegevens
SLA_ACTOR = "sla-bewaking"  # the actor of the clocks' own audit events


class TicketNotFound(NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(f"no ticket {reference}")
        self.reference = reference

    def dutch(self) -> str:
        return "Deze melding bestaat niet (of valt buiten uw gemeente)."


class UnknownDestination(InvalidInput):
    pass


@dataclass(frozen=True)
class Reporter:
    channel: str
    sender_id: str
    email: str | None = None
    name: str | None = None
    address: str | None = None  # where notifications go, when not the sender id (Teams)


@dataclass(frozen=True)
class NewTicket:
    municipality: str  # key
    reporter: Reporter
    type: TicketType
    title: str
    description: str
    impact: Level
    urgency: Level
    application: str | None = None
    conversation: str | None = None
    discovered_at: datetime | None = None  # data breaches: the 72 hours count from here


def _notify_deadline(data: NewTicket, now: datetime) -> datetime | None:
    """A data breach must reach the DPA within 72 hours of its discovery (AVG art. 33)."""
    if data.type != TicketType.data_breach:
        return None
    discovered = min(data.discovered_at, now) if data.discovered_at else now
    return discovered + BREACH_NOTIFY


def format_reference(year: int, number: int) -> str:
    return f"M-{year}-{number:06d}"


# Both dialects' INSERTs have ON CONFLICT DO NOTHING; SQLAlchemy's generic Insert has not.
_DialectInsert = Callable[[type[ReferenceCounter]], postgresql.Insert | sqlite.Insert]
_INSERT_BY_DIALECT: dict[str, _DialectInsert] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


def _allocate_number(session: Session, year: int) -> int:
    """Next number of the year; the counter row lock makes it unique across processes."""
    dialect = session.get_bind().dialect.name
    insert = _INSERT_BY_DIALECT[dialect]
    session.execute(
        insert(ReferenceCounter).values(year=year, last_number=0).on_conflict_do_nothing()
    )
    return session.execute(
        update(ReferenceCounter)
        .where(col(ReferenceCounter.year) == year)
        .values(last_number=col(ReferenceCounter.last_number) + 1)
        .returning(col(ReferenceCounter.last_number))
    ).scalar_one()


def find_or_create_employee(session: Session, *, reporter: Reporter, municipality: str) -> Employee:
    return _match_reporter(session, reporter=reporter, municipality=municipality)[0]


def _match_reporter(
    session: Session, *, reporter: Reporter, municipality: str
) -> tuple[Employee, str | None]:
    """The employee who reports, and a note when their chat sender id was bound anew.

    The e-mail the action server sends is taken as verified: it wins over a stored sender
    binding (a reused or shared chat sender id), and two people are never merged. A sender
    first seen without e-mail gets it attached, unless it belongs to another employee: then
    the sender id moves to that one.
    """
    email = reporter.email.lower() if reporter.email else None
    identity = session.exec(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == reporter.channel,
            ChannelIdentity.sender_id == reporter.sender_id,
        )
    ).first()
    owner = session.exec(select(Employee).where(Employee.email == email)).first() if email else None
    bound = session.get_one(Employee, identity.employee_id) if identity is not None else None
    if bound is not None and (email is None or bound.email == email):
        return bound, None
    if bound is not None and owner is None and bound.email is None:
        bound.email = email  # first contact came without an e-mail address: now we know it
        if reporter.name and not bound.name:
            bound.name = reporter.name
        session.add(bound)
        return bound, None
    employee = owner or _new_employee(session, reporter, email, municipality)
    if identity is None:
        session.add(
            ChannelIdentity(
                employee_id=flushed_id(employee.id),
                channel=reporter.channel,
                sender_id=reporter.sender_id,
                verified_at=utcnow() if email else None,
            )
        )
        return employee, None
    # The sender id was bound to someone else: rebind it to the e-mail's employee, recorded.
    previous = identity.employee_id
    identity.employee_id = flushed_id(employee.id)
    identity.verified_at = utcnow()
    session.add(identity)
    return employee, (
        f"afzender {reporter.channel}:{reporter.sender_id} opnieuw gekoppeld aan medewerker "
        f"#{employee.id} (was #{previous}) op grond van het e-mailadres"
    )


def _new_employee(
    session: Session, reporter: Reporter, email: str | None, municipality: str
) -> Employee:
    employee = Employee(email=email, name=reporter.name, municipality=municipality)
    session.add(employee)
    session.flush()
    return employee


def _event(
    session: Session, ticket: Ticket, actor: str, kind: EventKind, **values: Any
) -> TicketEvent:
    event = TicketEvent(ticket_id=flushed_id(ticket.id), actor=actor, kind=kind, **values)
    session.add(event)
    return event


def create_ticket(
    session: Session,
    *,
    data: NewTicket,
    route: Route,
    org: Organisation,
    actor: str,
    now: datetime | None = None,
    idempotency_key: str | None = None,
    request_digest: str | None = None,
) -> Ticket:
    """Store a new, routed ticket; the caller commits.

    With an idempotency key, a second ticket with the same key fails on the unique index
    (IntegrityError at the flush): the caller then answers with the stored one
    (ticket_by_idempotency_key)."""
    now = now or utcnow()
    number = _allocate_number(session, now.year)  # first: take the write lock before reading
    reporter, rebound = _match_reporter(
        session, reporter=data.reporter, municipality=data.municipality
    )
    priority = org.priority(data.impact, data.urgency)
    if data.type in URGENT_TYPES and priority in ("P3", "P4"):
        priority = "P2"  # security incidents and data breaches are never routine
    ticket = Ticket(
        reference=format_reference(now.year, number),
        year=now.year,
        number=number,
        municipality=data.municipality,
        reporter_id=flushed_id(reporter.id),
        type=data.type,
        application=data.application,
        title=data.title,
        description=data.description,
        conversation=data.conversation,
        impact=data.impact,
        urgency=data.urgency,
        priority=priority,
        destination=route.destination,
        routed_how=route.how,
        route_confidence=route.confidence,
        route_alternatives=list(route.alternatives),
        route_reasons=list(route.reasons),
        needs_review=route.needs_review,
        status=Status.routed,
        notify_deadline_at=_notify_deadline(data, now),
        # A fault report joins an open outage of its application; a request, a question, a
        # security incident or a data breach about it never gets resolved with the outage.
        outage_id=_open_outage_for(session, data.application, data.municipality)
        if data.type == TicketType.incident
        else None,
        created_at=now,
        updated_at=now,
        idempotency_key=idempotency_key,
        request_digest=request_digest,
        reporter_channel=data.reporter.channel,
        reporter_address=data.reporter.address or data.reporter.sender_id,
    )
    set_clocks(ticket, org)
    session.add(ticket)
    session.flush()
    _event(session, ticket, actor, EventKind.created, new_value=ticket.reference, note=rebound)
    _event(
        session,
        ticket,
        actor,
        EventKind.routed,
        field="destination",
        new_value=route.destination,
        note=f"via {ROUTED_HOW_LABELS[route.how]}, zekerheid {route.confidence:.0%}",
    )
    _event(
        session,
        ticket,
        actor,
        EventKind.status,
        field="status",
        old_value=Status.new,
        new_value=Status.routed,
    )
    if ticket.notify_deadline_at is not None:
        notify_privacy_officer(session, ticket=ticket, org=org, stage=breach.STAGES[0], now=now)
    if ticket.outage_id is not None:
        _linked_at_creation(session, ticket, actor)
    return ticket


def _linked_at_creation(session: Session, ticket: Ticket, actor: str) -> None:
    """A new ticket about an application with an open outage is linked to it: an audit event,
    and it carries the outage to the supplier when no ticket does yet (the lead)."""
    outage = session.get_one(Outage, ticket.outage_id)
    lead = outage.lead_reference is None
    if lead:
        outage.lead_reference = ticket.reference
        session.add(outage)
    _event(
        session, ticket, actor, EventKind.linked, field="outage", new_value=f"#{outage.id}",
        note=f"{outage.title}{' (hoofdmelding)' if lead else ''}",
    )  # fmt: skip


def set_clocks(ticket: Ticket, org: Organisation) -> None:
    """Both SLA due times from the ticket's creation, destination and time paused so far."""
    due = clocks(
        created_at=ticket.created_at,
        response_hours=org.response_hours(ticket.destination, ticket.priority),
        resolution_hours=org.resolution_hours(ticket.destination, ticket.priority),
        paused_seconds=ticket.sla_paused_seconds or 0,
        calendar=org.calendar(ticket.destination),
    )
    ticket.response_due_at = due.response_due_at
    ticket.sla_due_at = due.resolution_due_at


def notify_privacy_officer(
    session: Session, *, ticket: Ticket, org: Organisation, stage: breach.Stage, now: datetime
) -> bool:
    """Mail the FG (and at the escalation also its escalation address) about a data breach,
    once per stage, through the outbox in the caller's transaction; an audit event records
    it. False when the organisation file names no privacy officer or it was already sent."""
    officer, deadline = org.privacy_officer, ticket.notify_deadline_at
    if officer is None or deadline is None:
        return False
    key = f"{ticket.reference}/fg/{stage.key}"
    if outbox.already_enqueued(session, idempotency_key=key):
        return False
    recipients = [str(officer.email)]
    if stage.escalate and officer.escalation and officer.escalation != officer.email:
        recipients.append(str(officer.escalation))
    local = deadline.astimezone(ZoneInfo(org.sla.timezone)).strftime("%d-%m-%Y %H:%M")
    for i, recipient in enumerate(recipients):
        outbox.enqueue(
            session,
            channel="email",
            recipient=recipient,
            subject=breach.subject(stage, ticket.reference),
            body=breach.body(stage, reference=ticket.reference, title=ticket.title, deadline=local),
            idempotency_key=key if i == 0 else f"{key}/escalation",
            ticket_id=flushed_id(ticket.id),
            now=now,
        )
    _event(
        session, ticket, SLA_ACTOR, EventKind.privacy, field="fg", new_value=stage.key,
        note=f"{breach.subject(stage, ticket.reference)}; gemaild aan {', '.join(recipients)}",
    )  # fmt: skip
    session.flush()
    log.info(
        "router.privacy.fg_mailed", reference=ticket.reference, stage=stage.key,
        escalated=len(recipients) > 1,
    )  # fmt: skip
    return True


def _open_outage_for(session: Session, application: str | None, municipality: str) -> int | None:
    if application is None:
        return None
    hits = current_outages(session, application=application, municipality=municipality)
    return hits[0].id if hits else None


class IdempotencyKeyReused(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "Idempotency-Key was already used for a different request; "
            "a retry must repeat the request unchanged, a new request needs a new key"
        )


def ticket_by_idempotency_key(session: Session, *, key: str, request_digest: str) -> Ticket | None:
    """The ticket an earlier request with this key created; IdempotencyKeyReused when that
    request was a different one."""
    ticket = session.exec(select(Ticket).where(Ticket.idempotency_key == key)).first()
    if ticket is not None and ticket.request_digest != request_digest:
        raise IdempotencyKeyReused()
    return ticket


def get_ticket(session: Session, reference: str, *, for_update: bool = False) -> Ticket:
    """One ticket; `for_update` locks its row until the transaction ends and reads it afresh.

    Every change to a ticket reads it this way, so a check of its state (a status
    transition) and the write after it cannot interleave with another change: PostgreSQL
    takes the row lock (SELECT ... FOR UPDATE); SQLite's write transactions hold the
    database's write lock from BEGIN (store/engine.py), and FOR UPDATE is left out there.
    """
    query = select(Ticket).where(Ticket.reference == reference.upper())
    if for_update:
        # populate_existing: a ticket read earlier in this transaction gets the locked values.
        query = query.with_for_update().execution_options(populate_existing=True)
    ticket = session.exec(query).first()
    if ticket is None:
        raise TicketNotFound(reference)
    return ticket


def text_matches(text: str) -> ColumnElement[bool]:
    """Tickets whose reference, title or description holds the text; % and _ match
    themselves (LIKE wildcards escaped). A whole reference matches that ticket exactly.
    The API's search and the workspace's queues both search this way."""
    text = text.strip()
    if REFERENCE.match(text.upper()):
        return col(Ticket.reference) == text.upper()
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        col(Ticket.reference).ilike(pattern, escape="\\"),
        col(Ticket.title).ilike(pattern, escape="\\"),
        col(Ticket.description).ilike(pattern, escape="\\"),
    )


def list_tickets(
    session: Session,
    *,
    municipality: str | None = None,
    status: Status | None = None,
    destination: str | None = None,
    reporter_email: str | None = None,
    open_only: bool = False,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Ticket], int]:
    """A page of tickets, newest first, and the total that match."""
    query = select(Ticket)
    if municipality:
        query = query.where(Ticket.municipality == municipality)
    if status:
        query = query.where(Ticket.status == status)
    if open_only:
        query = query.where(col(Ticket.status).in_(list(OPEN_STATUSES)))
    if destination:
        query = query.where(Ticket.destination == destination)
    if reporter_email:
        query = query.join(Employee, col(Employee.id) == col(Ticket.reporter_id)).where(
            Employee.email == reporter_email.lower()
        )
    if search:
        query = query.where(text_matches(search))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    page = session.exec(
        query.order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(page), total


def change_status(
    session: Session,
    *,
    reference: str,
    status: Status,
    actor: str,
    note: str | None = None,
    org: Organisation | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Move a ticket on (the state machine decides); news for the reporter goes into the
    outbox in this same transaction (`org` names the supplier in it).

    Waiting for the reporter pauses the resolution clock; leaving `waiting` for an open
    status restarts it, which needs `org` (the destination's calendar and targets)."""
    ticket = get_ticket(session, reference, for_update=True)
    check_transition(ticket.reference, ticket.status, status)
    now = now or utcnow()
    old = ticket.status
    if old == Status.waiting:
        _resume_clock(session, ticket, org, now, restart=status in OPEN_STATUSES)
    elif status == Status.waiting:
        ticket.waiting_since = now
    ticket.status = status
    ticket.updated_at = now
    if status not in {Status.routed, Status.withdrawn} and ticket.first_response_at is None:
        ticket.first_response_at = now
    if status == Status.resolved:
        ticket.resolved_at = now
    elif status in {Status.closed, Status.withdrawn}:
        ticket.closed_at = now
    elif status == Status.reopened:
        ticket.resolved_at = None
    session.add(ticket)
    event = _event(
        session,
        ticket,
        actor,
        EventKind.status,
        field="status",
        old_value=old,
        new_value=status,
        note=note,
        at=now,
    )
    session.flush()
    outbox.notify_status_change(
        session,
        ticket=ticket,
        status=status,
        event_id=flushed_id(event.id),
        destination_name=org.display_name(ticket.destination) if org else None,
    )
    return ticket


def _resume_clock(
    session: Session, ticket: Ticket, org: Organisation | None, now: datetime, *, restart: bool
) -> None:
    """The reporter answered: add the business time waited and move the resolution due time
    on by it (an audit event says so). A ticket leaving `waiting` for good just stops."""
    since, ticket.waiting_since = ticket.waiting_since, None
    if since is None or not restart:
        return
    if org is None:
        raise ValueError("restarting the SLA clock needs the organisation (its calendars)")
    waited = int(business_seconds(since, now, org.calendar(ticket.destination)))
    ticket.sla_paused_seconds = (ticket.sla_paused_seconds or 0) + waited
    old_due = ticket.sla_due_at
    set_clocks(ticket, org)
    new_due = ticket.sla_due_at
    if waited and new_due is not None and new_due != old_due:
        shown = new_due.astimezone(ZoneInfo(org.sla.timezone))
        _event(
            session, ticket, SLA_ACTOR, EventKind.sla, field="sla_due_at", at=now,
            old_value=old_due.isoformat() if old_due else None, new_value=new_due.isoformat(),
            note=f"Oplostermijn {waited / 3600:.1f} werkuur opgeschoven (gewacht op de melder), "
            f"nu {shown:%d-%m-%Y %H:%M}",
        )  # fmt: skip


def reassign(
    session: Session,
    *,
    reference: str,
    destination: str,
    actor: str,
    reason: str | None,
    org: Organisation,
) -> Ticket:
    """Send a ticket elsewhere; a staff reassignment is a labelled example for retraining."""
    if destination not in org.destination_keys():
        raise UnknownDestination(f"unknown destination '{destination}'")
    ticket = get_ticket(session, reference, for_update=True)
    if destination == ticket.destination:
        return ticket
    session.add(
        RouteCorrection(
            ticket_id=flushed_id(ticket.id),
            municipality=ticket.municipality,
            application=ticket.application,
            text=f"{ticket.title}\n{ticket.description}",
            from_destination=ticket.destination,
            to_destination=destination,
            from_how=ticket.routed_how,
            actor=actor,
            reason=reason,
        )
    )
    _event(
        session,
        ticket,
        actor,
        EventKind.reassigned,
        field="destination",
        old_value=ticket.destination,
        new_value=destination,
        note=reason,
    )
    ticket.destination = destination
    ticket.routed_how = RoutedHow.staff
    ticket.route_confidence = 1.0
    ticket.needs_review = False
    ticket.updated_at = utcnow()
    set_clocks(ticket, org)  # the new destination's contract and hours, from creation on
    session.add(ticket)
    return ticket


def confirm_route(session: Session, *, reference: str, actor: str, note: str) -> Ticket:
    """The destination was right after all: off the review queue, with an audit event."""
    ticket = get_ticket(session, reference, for_update=True)
    ticket.needs_review = False
    ticket.updated_at = utcnow()
    session.add(ticket)
    _event(
        session, ticket, actor, EventKind.reviewed, field="destination",
        new_value=ticket.destination, note=note,
    )  # fmt: skip
    return ticket


def set_supplier_reference(
    session: Session, *, reference: str, supplier_reference: str, actor: str
) -> Ticket:
    """The supplier's own reference for a forwarded ticket (kept as given: a structured field)."""
    ticket = get_ticket(session, reference, for_update=True)
    old = ticket.supplier_reference
    ticket.supplier_reference = supplier_reference[:100]
    ticket.updated_at = utcnow()
    session.add(ticket)
    _event(
        session, ticket, actor, EventKind.forwarded, field="supplier_reference",
        old_value=old, new_value=ticket.supplier_reference,
    )  # fmt: skip
    return ticket


def add_comment(
    session: Session,
    *,
    reference: str,
    author: str,
    text: str,
    to_reporter: bool,
) -> Comment:
    ticket = get_ticket(session, reference, for_update=True)
    comment = Comment(
        ticket_id=flushed_id(ticket.id), author=author, text=text, to_reporter=to_reporter
    )
    session.add(comment)
    if to_reporter and ticket.first_response_at is None:
        ticket.first_response_at = utcnow()
        session.add(ticket)
    _event(
        session,
        ticket,
        author,
        EventKind.comment,
        field="to_reporter" if to_reporter else "internal",
        new_value=comment.text,
    )
    session.flush()
    return comment


def ticket_events(session: Session, ticket: Ticket) -> list[TicketEvent]:
    return list(
        session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(col(TicketEvent.id))
        ).all()
    )


def ticket_comments(session: Session, ticket: Ticket) -> list[Comment]:
    return list(
        session.exec(
            select(Comment).where(Comment.ticket_id == ticket.id).order_by(col(Comment.id))
        ).all()
    )


def reporter_of(session: Session, ticket: Ticket) -> Employee:
    return session.get_one(Employee, ticket.reporter_id)
