"""Updates from suppliers about tickets forwarded to them (POST /api/suppliers/{key}/updates),
and the signatures of those already applied, so that a replay is refused by every process."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, or_, select

from router.domain.org import Organisation
from router.domain.vocabulary import EventKind, Status
from router.store import tickets as store
from router.store.tables import SupplierSignature, Ticket, TicketEvent, utcnow

# Both dialects' INSERTs have ON CONFLICT DO NOTHING; SQLAlchemy's generic Insert has not.
_DialectInsert = Callable[[type[SupplierSignature]], postgresql.Insert | sqlite.Insert]
_INSERT: dict[str, _DialectInsert] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def remember_signature(session: Session, *, supplier: str, signature: str, now: datetime) -> bool:
    """Take a signed request's signature; False when it was taken before (a replay). Inside
    the update's transaction: an update that is not applied leaves its signature free."""
    insert = _INSERT[session.get_bind().dialect.name]
    taken = session.execute(
        insert(SupplierSignature)
        .values(signature=signature, supplier=supplier, received_at=now)
        .on_conflict_do_nothing()
        .returning(col(SupplierSignature.signature))
    ).first()
    return taken is not None


def prune_signatures(session: Session, *, before: datetime) -> int:
    """Forget signatures older than `before`: their timestamps are refused by then anyway."""
    result = session.execute(
        delete(SupplierSignature).where(col(SupplierSignature.received_at) < before)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _was_forwarded(session: Session, ticket: Ticket) -> bool:
    """Forwarded since it was last sent to its present destination (a forward to an earlier
    supplier does not count for this one)."""
    since = session.exec(
        select(func.max(col(TicketEvent.id))).where(
            TicketEvent.ticket_id == ticket.id, col(TicketEvent.kind) == EventKind.reassigned
        )
    ).one()
    found = session.exec(
        select(TicketEvent.id).where(
            TicketEvent.ticket_id == ticket.id,
            col(TicketEvent.id) > (since or 0),
            or_(
                col(TicketEvent.kind) == EventKind.forwarded,
                (col(TicketEvent.kind) == EventKind.status)
                & (col(TicketEvent.new_value) == Status.forwarded),
            ),
        )
    ).first()
    return found is not None


def supplier_update(
    session: Session,
    *,
    supplier: str,
    reference: str,
    org: Organisation,
    status: Status | None = None,
    supplier_reference: str | None = None,
    note: str | None = None,
) -> Ticket:
    """A supplier's news about a ticket forwarded to it: its reference, a status (the state
    machine decides; the same status again changes nothing) and a note (with the status
    change, else an internal comment). Any other ticket is TicketNotFound to it."""
    ticket = store.get_ticket(session, reference, for_update=True)
    if ticket.destination != supplier or not _was_forwarded(session, ticket):
        raise store.TicketNotFound(reference)
    actor = f"leverancier:{supplier}"
    if supplier_reference and supplier_reference != ticket.supplier_reference:
        store.set_supplier_reference(
            session, reference=ticket.reference, supplier_reference=supplier_reference,
            actor=actor,
        )  # fmt: skip
    if status is not None and status != ticket.status:
        store.change_status(
            session, reference=ticket.reference, status=status, actor=actor, note=note, org=org
        )
    elif note:
        store.add_comment(
            session, reference=ticket.reference, author=actor, text=note, to_reporter=False
        )
    ticket.updated_at = utcnow()
    session.add(ticket)
    return ticket
