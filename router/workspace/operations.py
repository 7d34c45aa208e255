"""What staff do to tickets, always inside their scope; the store writes the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from router.domain.errors import InvalidInput
from router.domain.lifecycle import TRANSITIONS
from router.domain.org import Organisation
from router.domain.vocabulary import BreachDecision, Status
from router.store import breaches, forwarding
from router.store import tickets as store
from router.store.queues import Scope, ticket_in_scope, tickets_in_scope
from router.store.tables import Ticket, utcnow

ACCEPTED = "Suggestie van de router overgenomen"
# These need more than a click: a supplier reference, a resolution note, or a reason.
NEEDS_FORM = frozenset({Status.forwarded, Status.resolved, Status.reopened})


class FormError(InvalidInput):
    """Input a staff member must correct; the message is shown to them (Dutch)."""

    def dutch(self) -> str:
        return str(self)


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _required(value: str | None, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise FormError(message)
    return value


def accept_suggestion(
    session: Session, *, scope: Scope, reference: str, destination: str, org: Organisation
) -> Ticket:
    """One click: take one of the router's suggestions (recorded as a correction)."""
    ticket = ticket_in_scope(session, scope, reference)
    if destination not in {a.get("destination") for a in ticket.route_alternatives}:
        raise FormError("Dat is geen suggestie van de router; kies een bestemming met een reden.")
    if destination == ticket.destination:
        return store.confirm_route(
            session, reference=ticket.reference, actor=scope.username, note=ACCEPTED
        )
    return store.reassign(
        session,
        reference=ticket.reference,
        destination=destination,
        actor=scope.username,
        reason=ACCEPTED,
        org=org,
    )


def reassign(
    session: Session,
    *,
    scope: Scope,
    reference: str,
    destination: str,
    reason: str | None,
    org: Organisation,
) -> Ticket:
    if destination not in org.destination_keys():
        raise FormError("Kies een bestaande bestemming uit de lijst.")
    reason = _required(reason, "Geef een korte reden waarom deze bestemming beter is.")
    ticket = ticket_in_scope(session, scope, reference)
    if destination == ticket.destination:
        if ticket.needs_review:
            return store.confirm_route(
                session, reference=ticket.reference, actor=scope.username, note=ACCEPTED
            )
        raise FormError("De melding staat al bij deze bestemming.")
    return store.reassign(
        session,
        reference=ticket.reference,
        destination=destination,
        actor=scope.username,
        reason=reason,
        org=org,
    )


def set_status(
    session: Session,
    *,
    scope: Scope,
    reference: str,
    status: Status,
    note: str | None,
    org: Organisation,
) -> Ticket:
    if status in NEEDS_FORM:
        raise FormError("Gebruik hiervoor het eigen formulier (doorzetten, oplossen, heropenen).")
    ticket = ticket_in_scope(session, scope, reference)
    return store.change_status(
        session,
        reference=ticket.reference,
        status=status,
        actor=scope.username,
        note=note,
        org=org,
    )


def mark_forwarded(
    session: Session,
    *,
    scope: Scope,
    reference: str,
    supplier_reference: str,
    note: str | None,
    org: Organisation,
) -> Ticket:
    """Record that the ticket went to the supplier, under the supplier's own reference."""
    supplier_reference = _required(supplier_reference, "Vul de referentie van de leverancier in.")
    ticket = ticket_in_scope(session, scope, reference)
    if ticket.status != Status.forwarded:
        store.change_status(
            session,
            reference=ticket.reference,
            status=Status.forwarded,
            actor=scope.username,
            note=note,
            org=org,
        )
    return store.set_supplier_reference(
        session,
        reference=ticket.reference,
        supplier_reference=supplier_reference,
        actor=scope.username,
    )


def forward_to_supplier(
    session: Session, *, scope: Scope, reference: str, note: str | None, org: Organisation
) -> Ticket:
    """Forward the ticket to its supplier by the method of the organisation file (e-mail,
    webhook, TOPdesk); the worker delivers it and records the outcome on the ticket."""
    ticket = ticket_in_scope(session, scope, reference)
    forwarding.forward(
        session, reference=ticket.reference, actor=scope.username, org=org, note=note or None
    )
    return ticket


def comment(
    session: Session, *, scope: Scope, reference: str, text: str | None, to_reporter: bool
) -> None:
    text = _required(text, "Een lege opmerking wordt niet opgeslagen.")
    ticket = ticket_in_scope(session, scope, reference)
    store.add_comment(
        session,
        reference=ticket.reference,
        author=scope.username,
        text=text,
        to_reporter=to_reporter,
    )


def resolve(
    session: Session, *, scope: Scope, reference: str, note: str | None, to_reporter: bool
) -> Ticket:
    note = _required(note, "Beschrijf kort de oplossing.")
    ticket = ticket_in_scope(session, scope, reference)
    store.change_status(
        session,
        reference=ticket.reference,
        status=Status.resolved,
        actor=scope.username,
        note=note,
    )
    if to_reporter:
        store.add_comment(
            session,
            reference=ticket.reference,
            author=scope.username,
            text=f"Opgelost: {note}",
            to_reporter=True,
        )
    return ticket


def reopen(session: Session, *, scope: Scope, reference: str, note: str | None) -> Ticket:
    note = _required(note, "Geef een korte reden om de melding te heropenen.")
    ticket = ticket_in_scope(session, scope, reference)
    return store.change_status(
        session,
        reference=ticket.reference,
        status=Status.reopened,
        actor=scope.username,
        note=note,
    )


def bulk_reassign(
    session: Session,
    *,
    scope: Scope,
    references: list[str],
    destination: str,
    reason: str | None,
    org: Organisation,
) -> BulkResult:
    reason = _required(reason, "Geef een korte reden voor het doorsturen.")
    if destination not in org.destination_keys():
        raise FormError("Kies een bestemming.")
    result = BulkResult()
    for ticket in tickets_in_scope(session, scope, references):
        if ticket.destination == destination:
            result.skipped.append(ticket.reference)
            continue
        store.reassign(
            session,
            reference=ticket.reference,
            destination=destination,
            actor=scope.username,
            reason=reason,
            org=org,
        )
        result.done.append(ticket.reference)
    return result


def bulk_close(session: Session, *, scope: Scope, references: list[str]) -> BulkResult:
    """Close what the state machine lets close (resolved tickets); skip the rest."""
    result = BulkResult()
    for ticket in tickets_in_scope(session, scope, references):
        if Status.closed not in TRANSITIONS[Status(ticket.status)]:
            result.skipped.append(ticket.reference)
            continue
        store.change_status(
            session,
            reference=ticket.reference,
            status=Status.closed,
            actor=scope.username,
            note="Gesloten bij de dagelijkse opschoning",
        )
        result.done.append(ticket.reference)
    return result


def record_breach_decision(
    session: Session, *, scope: Scope, reference: str, decision: str | None, reason: str | None
) -> Ticket:
    """The FG's decision on a data breach, with its reason (the reminders stop)."""
    ticket = ticket_in_scope(session, scope, reference)  # first: another's ticket is missing
    try:
        chosen = BreachDecision(decision or "")
    except ValueError:
        raise FormError("Kies of het datalek wel of niet bij de AP wordt gemeld.") from None
    reason = _required(reason, "Geef de reden van het besluit.")
    return breaches.record_decision(
        session,
        reference=ticket.reference,
        decision=chosen,
        reason=reason,
        actor=scope.username,
        now=utcnow(),
    )


def record_ap_notification(
    session: Session,
    *,
    scope: Scope,
    reference: str,
    notified_at: str | None,
    ap_reference: str | None,
    org: Organisation,
) -> Ticket:
    """When the AP was notified (a local time from the form; empty: now) and its reference."""
    ticket = ticket_in_scope(session, scope, reference)  # first: another's ticket is missing
    ap_reference = _required(ap_reference, "Vul de referentie van de AP in.")
    now = utcnow()
    at = now
    if notified_at:
        try:
            at = datetime.fromisoformat(notified_at).replace(tzinfo=ZoneInfo(org.sla.timezone))
        except ValueError:
            raise FormError("Vul een geldige datum en tijd in.") from None
        if at > now:
            raise FormError("Het tijdstip van de melding bij de AP ligt in de toekomst.")
    return breaches.record_ap_notification(
        session,
        reference=ticket.reference,
        notified_at=at,
        ap_reference=ap_reference,
        actor=scope.username,
        now=now,
    )
