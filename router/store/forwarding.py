"""Forwarding tickets to suppliers through the outbox (their updates coming back:
router/store/supplier_updates.py).

A forward is written in the transaction of its cause (the status change to forwarded and an
audit event), keyed by that event. The worker records each outcome in the ticket's audit
trail too: delivered (TOPdesk's incident number becomes the supplier's reference), or given up
after the last try (flagged, listed for staff; never dropped).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from router.domain import forwarding as rules
from router.domain.errors import Conflict, InvalidInput
from router.domain.lifecycle import TRANSITIONS
from router.domain.org import Organisation, Supplier
from router.domain.vocabulary import EventKind, Status
from router.store import major_incidents, outbox
from router.store import tickets as store
from router.store.tables import (
    OutboxMessage,
    Ticket,
    TicketEvent,
    flushed_id,
)

WORKER = "loket worker"


class NotForwardable(InvalidInput):
    """The destination has no forwarding method, or the ticket's status does not allow it."""

    def dutch(self) -> str:
        return str(self)


class AlreadyForwarded(Conflict):
    def dutch(self) -> str:
        return str(self)


def _event(
    session: Session,
    ticket: Ticket,
    actor: str,
    kind: EventKind,
    *,
    field: str,
    new_value: str | None,
    note: str | None,
) -> TicketEvent:
    event = TicketEvent(
        ticket_id=flushed_id(ticket.id), actor=actor, kind=kind, field=field,
        new_value=new_value, note=note,
    )  # fmt: skip
    session.add(event)
    session.flush()
    return event


def _facts(ticket: Ticket, org: Organisation) -> rules.TicketFacts:
    municipality = org.municipality(ticket.municipality)
    return rules.TicketFacts(
        reference=ticket.reference,
        title=ticket.title,
        description=ticket.description,
        municipality=municipality.name if municipality else ticket.municipality,
        application=ticket.application,
        priority=ticket.priority,
        type=ticket.type,
        created_at=ticket.created_at,
        sla_due_at=ticket.sla_due_at,
    )


def forwarding_supplier(org: Organisation, ticket: Ticket) -> Supplier | None:
    """The ticket's supplier when Loket can forward to it (it has a forwarding method)."""
    supplier = org.supplier(ticket.destination)
    return supplier if supplier is not None and supplier.forwarding is not None else None


def _forward_stands(session: Session, ticket: Ticket, channel: str, recipient: str) -> bool:
    """A forward to this supplier is under way, or was delivered and the ticket has not been
    reopened since (a reopened ticket may go to the supplier again)."""
    earlier = session.exec(
        select(OutboxMessage)
        .where(
            OutboxMessage.ticket_id == ticket.id,
            OutboxMessage.channel == channel,
            OutboxMessage.recipient == recipient,
            col(OutboxMessage.idempotency_key).contains("/forward/"),
            col(OutboxMessage.status) != outbox.FLAGGED,
        )
        .order_by(col(OutboxMessage.id).desc())
    ).first()
    if earlier is None or earlier.status != outbox.SENT:
        return earlier is not None
    forwarded_at_event = int(earlier.idempotency_key.rsplit("/", 1)[1])
    reopened = session.exec(
        select(TicketEvent.id).where(
            TicketEvent.ticket_id == ticket.id,
            col(TicketEvent.id) > forwarded_at_event,
            col(TicketEvent.kind) == EventKind.status,
            col(TicketEvent.new_value) == Status.reopened,
        )
    ).first()
    return reopened is None


def forward(
    session: Session,
    *,
    reference: str,
    actor: str,
    org: Organisation,
    note: str | None = None,
) -> OutboxMessage:
    """Forward the ticket to its supplier by the supplier's method: status forwarded (if it
    is not yet), an audit event, and the message in the outbox, all in the caller's
    transaction. A forward still under way or delivered is not repeated; a flagged one is."""
    ticket = store.get_ticket(session, reference, for_update=True)
    outage = major_incidents.is_led_elsewhere(session, ticket)
    if outage is not None:
        raise NotForwardable(
            f"{ticket.reference} hoort bij de storing '{outage.title}'; die gaat één keer naar "
            f"de leverancier, via melding {outage.lead_reference}."
        )
    supplier = forwarding_supplier(org, ticket)
    if supplier is None or supplier.forwarding is None:
        raise NotForwardable(
            f"{org.display_name(ticket.destination)} heeft geen doorzetmethode; zet door per "
            "telefoon of portaal en leg hun referentie vast."
        )
    if ticket.status != Status.forwarded and Status.forwarded not in TRANSITIONS[
        Status(ticket.status)
    ]:
        raise NotForwardable(f"{ticket.reference} kan in deze status niet worden doorgezet.")
    facts = _facts(ticket, org)
    planned = rules.outgoing(facts, supplier, org, "")
    if _forward_stands(session, ticket, planned.channel, planned.recipient):
        raise AlreadyForwarded(f"{ticket.reference} is al doorgezet naar {supplier.name}.")
    if ticket.status != Status.forwarded:
        store.change_status(
            session,
            reference=ticket.reference,
            status=Status.forwarded,
            actor=actor,
            note=note,
            org=org,
        )
    major_incidents.take_the_lead(session, ticket)  # a lead withdrawn meanwhile: this one leads
    method = supplier.forwarding.method
    event = _event(
        session, ticket, actor, EventKind.forwarded, field="doorzetten",
        new_value=f"{supplier.name} via {rules.METHOD_LABELS[method]}", note=note,
    )  # fmt: skip
    key = rules.forward_key(ticket.reference, flushed_id(event.id))
    message = rules.outgoing(facts, supplier, org, key)
    return outbox.enqueue(
        session,
        channel=message.channel,
        recipient=message.recipient,
        body=message.body,
        subject=message.subject,
        idempotency_key=key,
        ticket_id=flushed_id(ticket.id),
    )


def auto_forward(session: Session, *, ticket: Ticket, org: Organisation) -> OutboxMessage | None:
    """A new ticket goes to its supplier without staff when the organisation file says so
    (`auto: true`) and the router is sure enough; else it waits for staff. A ticket linked to
    an open outage that another ticket carries to the supplier is not forwarded at all."""
    if major_incidents.is_led_elsewhere(session, ticket) is not None:
        return None
    supplier = rules.auto_forward_to(
        org, destination=ticket.destination, confidence=ticket.route_confidence,
        needs_review=ticket.needs_review, type=ticket.type,
    )  # fmt: skip
    if supplier is None:
        return None
    return forward(
        session,
        reference=ticket.reference,
        actor="router",
        org=org,
        note=f"Automatisch doorgezet (zekerheid {ticket.route_confidence:.0%})",
    )


def _is_forward(message: OutboxMessage) -> bool:
    return (
        message.ticket_id is not None
        and message.channel in rules.FORWARD_CHANNELS
        and "/forward/" in message.idempotency_key
    )


def record_delivered(
    session: Session,
    *,
    message_id: int,
    acknowledgement: str,
    now: datetime,
    supplier_reference: str | None = None,
) -> bool:
    """The receiver took the message: sent, never again. A forward also gets an audit event,
    and the supplier's own number (TOPdesk's incident number) becomes the ticket's supplier
    reference. False when the claim was no longer ours."""
    if not outbox.mark_sent(
        session, message_id=message_id, acknowledgement=acknowledgement, now=now
    ):
        return False
    message = session.get_one(OutboxMessage, message_id)
    if not _is_forward(message):
        return True
    ticket = session.get_one(Ticket, message.ticket_id)
    _event(
        session, ticket, WORKER, EventKind.delivery, field="afgeleverd",
        new_value=acknowledgement[:200], note=f"via {rules.METHOD_LABELS[message.channel]}",
    )  # fmt: skip
    if supplier_reference and supplier_reference != ticket.supplier_reference:
        store.set_supplier_reference(
            session, reference=ticket.reference, supplier_reference=supplier_reference,
            actor=WORKER,
        )  # fmt: skip
    return True


def record_failed(
    session: Session,
    *,
    message_id: int,
    error: str,
    now: datetime,
    backoff: outbox.Backoff,
    permanent: bool = False,
) -> str:
    """A failed try (outbox.mark_failed); a message of a ticket given up on is written into
    the ticket's audit trail, so staff see it there and in the list of flagged messages."""
    status = outbox.mark_failed(
        session, message_id=message_id, error=error, now=now, backoff=backoff,
        permanent=permanent,
    )  # fmt: skip
    message = session.get_one(OutboxMessage, message_id)
    if status == outbox.FLAGGED and message.flagged_at == now and message.ticket_id is not None:
        what = "Doorzetten naar de leverancier" if _is_forward(message) else "Bericht aan de melder"
        _event(
            session, session.get_one(Ticket, message.ticket_id), WORKER, EventKind.delivery,
            field="mislukt", new_value=f"{what} mislukt na {message.attempts} pogingen",
            note=error[:300],
        )  # fmt: skip
    return status


def flagged_with_tickets(
    session: Session, *, municipality: str | None = None, limit: int = 100
) -> list[tuple[OutboxMessage, Ticket]]:
    """Messages of tickets that could not be delivered, newest first: for staff to follow up
    (a coordinator's list holds only their municipality's)."""
    query = (
        select(OutboxMessage, Ticket)
        .join(Ticket, col(Ticket.id) == col(OutboxMessage.ticket_id))
        .where(col(OutboxMessage.status) == outbox.FLAGGED)
    )
    if municipality is not None:
        query = query.where(col(Ticket.municipality) == municipality)
    rows = session.exec(query.order_by(col(OutboxMessage.flagged_at).desc()).limit(limit)).all()
    return [(message, ticket) for message, ticket in rows]


def undelivered_forward(session: Session, *, ticket_id: int) -> OutboxMessage | None:
    """The ticket's latest flagged forward, if its last forward was given up on."""
    latest = session.exec(
        select(OutboxMessage)
        .where(
            OutboxMessage.ticket_id == ticket_id,
            col(OutboxMessage.idempotency_key).contains("/forward/"),
        )
        .order_by(col(OutboxMessage.id).desc())
    ).first()
    return latest if latest is not None and latest.status == outbox.FLAGGED else None
