"""Scoped reads for the workspace: every query takes the staff member's scope.

A coordinator's scope is one municipality; a ticket outside it is answered exactly like
one that does not exist (TicketNotFound, so 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from router.domain.lifecycle import OPEN_STATUSES
from router.domain.vocabulary import OutageStatus, Role
from router.store import tickets as store
from router.store.tables import Outage, StaffAccount, Ticket

PER_PAGE = 50
EXPORT_LIMIT = 10_000
SORTS = {
    "leeftijd": (Ticket.created_at,),
    "prioriteit": (Ticket.priority, Ticket.created_at),
    "referentie": (Ticket.year, Ticket.number),
    "sla": (Ticket.sla_due_at,),
}


@dataclass(frozen=True)
class Scope:
    """Who is asking, and which municipality (coordinators only) limits what they see."""

    username: str
    role: Role
    municipality: str | None = None

    @classmethod
    def of(cls, account: StaffAccount) -> Scope:
        role = Role(account.role)
        if role == Role.coordinator and not account.municipality:
            raise ValueError(f"coordinator {account.username} has no municipality")
        return cls(
            account.username, role, account.municipality if role == Role.coordinator else None
        )

    @property
    def can_manage_accounts(self) -> bool:
        return self.role == Role.admin

    @property
    def can_manage_outages(self) -> bool:
        return self.role != Role.coordinator


def scoped(query: SelectOfScalar, scope: Scope) -> SelectOfScalar:
    if scope.municipality is not None:
        return query.where(Ticket.municipality == scope.municipality)
    return query


def ticket_in_scope(session: Session, scope: Scope, reference: str) -> Ticket:
    reference = reference.upper()
    ticket = session.exec(
        scoped(select(Ticket), scope).where(Ticket.reference == reference)
    ).first()
    if ticket is None:
        raise store.TicketNotFound(reference)
    return ticket


@dataclass(frozen=True)
class QueueFilter:
    destination: str | None = None
    status: str = "open"  # "open", "alle" or a Status
    municipality: str | None = None
    priority: str | None = None
    older_than_days: int | None = None
    search: str | None = None
    sla: str | None = None  # "dreigt" or "verlopen": open tickets so marked by the SLA check
    sort: str = "leeftijd"
    descending: bool = True
    page: int = 1


def _filtered(scope: Scope, f: QueueFilter, now: datetime) -> SelectOfScalar:
    query = scoped(select(Ticket), scope)
    if f.municipality and scope.municipality is None:
        query = query.where(Ticket.municipality == f.municipality)
    if f.status == "open":
        query = query.where(col(Ticket.status).in_(sorted(OPEN_STATUSES)))
    elif f.status != "alle":
        query = query.where(Ticket.status == f.status)
    if f.destination:
        query = query.where(Ticket.destination == f.destination)
    if f.priority:
        query = query.where(Ticket.priority == f.priority)
    if f.older_than_days:
        query = query.where(col(Ticket.created_at) <= now - timedelta(days=f.older_than_days))
    if f.search:
        query = query.where(store.text_matches(f.search))
    if f.sla in SLA_FILTERS:
        query = query.where(
            Ticket.sla_state == SLA_FILTERS[f.sla],
            col(Ticket.status).in_(sorted(OPEN_STATUSES)),
        )
    return query


SLA_FILTERS = {"dreigt": "at_risk", "verlopen": "breached"}


def sla_counts(session: Session, scope: Scope) -> dict[str, int]:
    """Open tickets in scope marked at risk and breached (the queue's badge counts)."""
    query = select(Ticket.sla_state, func.count()).where(
        col(Ticket.status).in_(sorted(OPEN_STATUSES)),
        col(Ticket.sla_state).in_(sorted(SLA_FILTERS.values())),
    )
    if scope.municipality is not None:
        query = query.where(Ticket.municipality == scope.municipality)
    rows = session.exec(query.group_by(col(Ticket.sla_state))).all()
    counts = {"at_risk": 0, "breached": 0}
    counts.update({state: count for state, count in rows})
    return counts


def _ordered(query: SelectOfScalar, f: QueueFilter) -> SelectOfScalar:
    columns = SORTS.get(f.sort, SORTS["leeftijd"])
    order = [col(c).desc() if f.descending else col(c).asc() for c in columns]
    return query.order_by(*order, col(Ticket.id).desc() if f.descending else col(Ticket.id))


def queue(
    session: Session, scope: Scope, f: QueueFilter, now: datetime
) -> tuple[list[Ticket], int]:
    """One page of the queue and the number of tickets that match."""
    query = _filtered(scope, f, now)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    page = session.exec(
        _ordered(query, f).limit(PER_PAGE).offset((max(f.page, 1) - 1) * PER_PAGE)
    ).all()
    return list(page), total


def export(session: Session, scope: Scope, f: QueueFilter, now: datetime) -> list[Ticket]:
    return list(session.exec(_ordered(_filtered(scope, f, now), f).limit(EXPORT_LIMIT)).all())


def triage_queue(session: Session, scope: Scope, page: int = 1) -> tuple[list[Ticket], int]:
    """Open tickets the router was unsure about, oldest first."""
    query = scoped(select(Ticket), scope).where(
        col(Ticket.needs_review).is_(True), col(Ticket.status).in_(sorted(OPEN_STATUSES))
    )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Ticket.created_at), col(Ticket.id))
        .limit(PER_PAGE)
        .offset((max(page, 1) - 1) * PER_PAGE)
    ).all()
    return list(rows), total


def tickets_in_scope(session: Session, scope: Scope, references: list[str]) -> list[Ticket]:
    """The tickets of a bulk selection that the staff member may see; others are dropped."""
    wanted = sorted({r.upper() for r in references})[: PER_PAGE * 4]
    if not wanted:
        return []
    query = scoped(select(Ticket), scope).where(col(Ticket.reference).in_(wanted))
    return list(session.exec(query.order_by(col(Ticket.id))).all())


def outages_in_scope(session: Session, scope: Scope, include_closed: int = 20) -> list[Outage]:
    """Open outages, then the most recently closed ones; a coordinator sees those hitting them."""
    open_rows = session.exec(
        select(Outage)
        .where(Outage.status == OutageStatus.open)
        .order_by(col(Outage.started_at).desc())
    ).all()
    closed_rows = session.exec(
        select(Outage)
        .where(Outage.status == OutageStatus.closed)
        .order_by(col(Outage.closed_at).desc())
        .limit(include_closed)
    ).all()
    return [o for o in [*open_rows, *closed_rows] if hits(o, scope)]


def hits(outage: Outage, scope: Scope) -> bool:
    return (
        scope.municipality is None
        or not outage.municipalities
        or (scope.municipality in outage.municipalities)
    )
