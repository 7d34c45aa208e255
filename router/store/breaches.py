"""Data breaches: the privacy officer's reminders, decision and the AP notification.

The first notification is written with the ticket (tickets.create_ticket); `loket worker`
sends the reminders at 24 and 48 hours and the escalation at 60 hours while no decision is
recorded (router/domain/breach.py). Every step is an audit event of kind `privacy`.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from router.domain import breach
from router.domain.errors import Conflict, InvalidInput
from router.domain.org import Organisation
from router.domain.vocabulary import BreachDecision, EventKind, Status, TicketType
from router.store import tickets as store
from router.store.tables import Ticket, TicketEvent, flushed_id

DECISION_LABELS = {
    BreachDecision.report: "melden bij de Autoriteit Persoonsgegevens",
    BreachDecision.no_report: "niet melden bij de Autoriteit Persoonsgegevens",
}


class NotADataBreach(InvalidInput):
    def dutch(self) -> str:
        return "Deze melding is geen datalek."


class BreachAlreadyDecided(Conflict):
    def dutch(self) -> str:
        return str(self)


def undecided(session: Session) -> list[str]:
    """References of data breaches on which the FG has not yet decided (not withdrawn)."""
    rows = session.exec(
        select(Ticket.reference).where(
            col(Ticket.notify_deadline_at).is_not(None),
            col(Ticket.breach_decision).is_(None),
            col(Ticket.status) != Status.withdrawn,
        )
    ).all()
    return list(rows)


def remind(session: Session, *, reference: str, org: Organisation, now: datetime) -> str | None:
    """Write the latest reminder that is due and not yet written (an earlier one missed while
    no worker ran is not sent late); the stage written, or None."""
    ticket = store.get_ticket(session, reference, for_update=True)
    if ticket.notify_deadline_at is None or ticket.breach_decision is not None:
        return None
    due = breach.due_stages(ticket.notify_deadline_at, now)
    if not due:
        return None
    stage = due[-1]
    sent = store.notify_privacy_officer(session, ticket=ticket, org=org, stage=stage, now=now)
    return stage.key if sent else None


def _breach(session: Session, reference: str) -> Ticket:
    ticket = store.get_ticket(session, reference, for_update=True)
    if ticket.type != TicketType.data_breach or ticket.notify_deadline_at is None:
        raise NotADataBreach(f"{ticket.reference} is not a data breach")
    return ticket


def record_decision(
    session: Session,
    *,
    reference: str,
    decision: BreachDecision,
    reason: str,
    actor: str,
    now: datetime,
) -> Ticket:
    """The FG's decision, with its reason; the reminders stop. Decided once: a change of
    mind is a comment, not a second decision."""
    ticket = _breach(session, reference)
    if ticket.breach_decision is not None:
        raise BreachAlreadyDecided(f"Over {ticket.reference} is al besloten.")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("a decision needs its reason")
    ticket.breach_decision = decision
    ticket.breach_decision_reason = reason
    ticket.breach_decided_at = now
    ticket.breach_decided_by = actor
    ticket.updated_at = now
    session.add(ticket)
    _event(session, ticket, actor, now, "breach_decision", decision, reason)
    return ticket


def record_ap_notification(
    session: Session,
    *,
    reference: str,
    notified_at: datetime,
    ap_reference: str,
    actor: str,
    now: datetime,
) -> Ticket:
    """When the AP was notified and its reference; the 72-hour clock stops."""
    ticket = _breach(session, reference)
    if ticket.breach_decision != BreachDecision.report:
        raise BreachAlreadyDecided(
            f"Leg eerst het besluit vast om {ticket.reference} bij de AP te melden."
        )
    if notified_at > now:
        raise InvalidInput("the AP cannot have been notified in the future")
    ticket.ap_notified_at = notified_at
    ticket.ap_reference = ap_reference.strip()[:100]
    ticket.updated_at = now
    session.add(ticket)
    late = ticket.notify_deadline_at is not None and notified_at > ticket.notify_deadline_at
    _event(
        session, ticket, actor, now, "ap_reference", ticket.ap_reference,
        "gemeld bij de AP na de termijn van 72 uur" if late else "gemeld bij de AP",
    )  # fmt: skip
    return ticket


def _event(
    session: Session,
    ticket: Ticket,
    actor: str,
    now: datetime,
    field: str,
    value: str | None,
    note: str | None,
) -> None:
    session.add(
        TicketEvent(
            ticket_id=flushed_id(ticket.id), at=now, actor=actor, kind=EventKind.privacy,
            field=field, new_value=value, note=note,
        )
    )  # fmt: skip
