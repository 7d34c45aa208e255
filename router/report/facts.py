"""The report's working set, built in the database: one row per ticket resolved in each of
the eight periods of the trend, with its durations in calendar and business hours.

Temporary tables (gone at the end of the report's transaction) keep every aggregation that
follows small: the store's ticket and event tables are read once, by index ranges on time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from router.domain.org import PRIORITIES, Organisation
from router.domain.vocabulary import EventKind, Status
from router.report.hours import (
    business_clock,
    calendar_of,
    clock_at,
    drop_calendars,
    epoch,
    fill_calendars,
    least,
    target_hours,
)
from router.report.period import Period
from router.store.tables import Ticket, TicketEvent

TICKET: Table = Ticket.__table__  # type: ignore[attr-defined]  # SQLModel sets it
_TEMP = MetaData()
RESOLVED = Table(
    "rpt_resolved",
    _TEMP,
    Column("ticket_id", Integer, primary_key=True),
    Column("period", Integer, primary_key=True),  # 0: the report's period, 1: the one before...
    Column("resolved_at", DateTime, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("destination", String(64), nullable=False),
    Column("municipality", String(8), nullable=False),
    Column("application", String(100)),
    Column("priority", String(2), nullable=False),
    Column("type", String(24), nullable=False),
    Column("calendar_s", BigInteger, nullable=False),
    Column("business_s", BigInteger, nullable=False),  # gross: waiting time included
    Column("waiting_s", BigInteger, nullable=False),  # business seconds waiting for the reporter
    prefixes=["TEMPORARY"],
)
WAITING = Table(
    "rpt_waiting",
    _TEMP,
    Column("ticket_id", Integer, primary_key=True),
    Column("period", Integer, primary_key=True),
    Column("waiting_s", BigInteger, nullable=False),
    prefixes=["TEMPORARY"],
)


OPEN = Table(
    "rpt_open",
    _TEMP,
    Column("ticket_id", Integer, primary_key=True),  # open at the end of the report's period
    prefixes=["TEMPORARY"],
)


@dataclass(frozen=True)
class Context:
    """What every figure needs: the session, the organisation, the periods and the scope."""

    session: Session
    org: Organisation
    period: Period
    municipality: str | None

    @property
    def trend(self) -> list[Period]:
        return self.period.trend()

    @property
    def mine(self) -> list[ColumnElement[bool]]:
        """The scope on the working set, which always holds every municipality (the cost
        split needs the whole to give one municipality its share)."""
        return self.scoped(RESOLVED.c.municipality)

    def scoped(self, column: Any) -> list[ColumnElement[bool]]:
        """The scope condition on a municipality column (none for the whole collaboration)."""
        return [] if self.municipality is None else [column == self.municipality]


def changed_to(status: Status) -> list[ColumnElement[bool]]:
    """Audit events that changed a ticket's status to `status`. The values are written into
    the SQL, not bound: the partial indexes on such changes (ix_ticketevent_resolved_at,
    ix_ticketevent_waiting_at) serve only a plan made knowing them."""
    return [
        col(TicketEvent.kind) == literal_column(f"'{EventKind.status}'"),
        col(TicketEvent.new_value) == literal_column(f"'{status}'"),
    ]


def period_bucket(moment: Any, periods: list[Period]) -> Any:
    """0 for the newest period, 1 for the one before, ... (moment within the trend's span)."""
    newest_first = list(reversed(periods))
    return case(*((moment >= p.start, index) for index, p in enumerate(newest_first)), else_=None)


def sla_seconds() -> Any:
    return RESOLVED.c.business_s - RESOLVED.c.waiting_s


def target_seconds(org: Organisation) -> Any:
    """The resolution target of each row in seconds: its supplier contract's for the
    priority, else the organisation's."""
    r = RESOLVED.c
    contracts = [
        (and_(r.destination == s.key, r.priority == p), int(target_hours(org, s.key, p) * 3600))
        for s in org.suppliers
        if s.contract is not None
        for p in PRIORITIES
    ]
    own = [(r.priority == p, int(org.sla.targets_hours[p] * 3600)) for p in PRIORITIES]
    return case(*contracts, *own, else_=None)


def met_target(org: Organisation) -> Any:
    return case((sla_seconds() <= target_seconds(org), 1), else_=0)


def build(ctx: Context) -> None:
    """Fill the temporary tables for the report's eight periods."""
    session, trend = ctx.session, ctx.trend
    if _on_postgres(session):
        # Compiling these one-off queries to machine code took longer than running them
        # (3.5 of 4.2 s on a million tickets); for this transaction only.
        session.execute(text("SET LOCAL jit = off"))
        # The period's few tickets are fetched by primary key; a merge join would walk the
        # whole ticket index in order instead (the planner underestimates that walk).
        session.execute(text("SET LOCAL enable_mergejoin = off"))
    first, end = trend[0].start, trend[-1].end
    # The calendar from the store's first ticket on: an index lookup, a few hundred rows a year.
    oldest = session.execute(select(func.min(col(Ticket.created_at)))).scalar()
    calendar_from = min(oldest.date() if oldest else first.date(), first.date())
    fill_calendars(
        session, ctx.org, calendar_from - timedelta(days=2), end.date() + timedelta(days=2)
    )
    connection = session.connection()
    for table in (WAITING, RESOLVED, OPEN):
        table.drop(connection, checkfirst=True)
        table.create(connection)
    _open_at_end(session, ctx.period)
    _resolved(session, ctx.org, trend)
    _analyse(session, RESOLVED.name)
    _waiting(session, ctx.org)


def _on_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _resolved(session: Session, org: Organisation, trend: list[Period]) -> None:
    """Each ticket's last resolution in each period of the trend, with the ticket's columns
    and its calendar and business seconds: the resolutions from their partial index, each
    ticket by primary key, the business clock by the calendar's."""
    first, end = trend[0].start, trend[-1].end
    ev = TicketEvent
    events = (
        select(
            col(ev.ticket_id).label("ticket_id"),
            col(ev.at).label("at"),
            period_bucket(col(ev.at), trend).label("period"),
        )
        .where(*changed_to(Status.resolved), col(ev.at) >= first, col(ev.at) < end)
        .subquery()
    )
    last = (
        select(events.c.ticket_id, events.c.period, func.max(events.c.at).label("resolved_at"))
        .group_by(events.c.ticket_id, events.c.period)
        .subquery()
    )
    t = TICKET.c
    calendar = calendar_of(org, t.destination)  # business hours of the destination
    at_resolved = clock_at(last.c.resolved_at, calendar)
    at_created = clock_at(t.created_at, calendar)
    rows = select(
        last.c.ticket_id,
        last.c.period,
        last.c.resolved_at,
        t.created_at,
        t.destination,
        t.municipality,
        t.application,
        t.priority,
        t.type,
        epoch(last.c.resolved_at) - epoch(t.created_at),
        at_resolved[2] - at_created[2],
        literal(0),
    ).join_from(last, TICKET, t.id == last.c.ticket_id)
    rows = rows.join(at_resolved[0], at_resolved[1]).join(at_created[0], at_created[1])
    columns = [
        "ticket_id", "period", "resolved_at", "created_at", "destination", "municipality",
        "application", "priority", "type", "calendar_s", "business_s", "waiting_s",
    ]  # fmt: skip
    postgres = _on_postgres(session)
    if postgres:
        # Misjudging the calendar join, the planner would read and hash all the store's
        # tickets rather than look up the resolved ones by key: 1.0 s against 0.6 s for
        # this statement on a million. This statement only: other joins are better hashed.
        session.execute(text("SET LOCAL enable_hashjoin = off"))
    session.connection().execute(insert(RESOLVED).from_select(columns, rows))
    if postgres:
        session.execute(text("RESET enable_hashjoin"))


def _open_at_end(session: Session, period: Period) -> None:
    """The tickets not resolved or closed by the period's end, found through the index on
    resolved_at (resolved after the end, or not at all): never a walk over every ticket."""
    end, t = period.end, col(Ticket.id)
    later = select(t).where(col(Ticket.resolved_at) >= end)
    never = select(t).where(col(Ticket.resolved_at).is_(None))
    candidates = later.union_all(never).subquery()
    rows = (
        select(candidates.c.id)
        .join_from(candidates, Ticket, col(Ticket.id) == candidates.c.id)
        .where(
            col(Ticket.created_at) < end,
            col(Ticket.closed_at).is_(None) | (col(Ticket.closed_at) >= end),
        )
    )
    session.connection().execute(insert(OPEN).from_select(["ticket_id"], rows))


def open_at_end() -> ColumnElement[bool]:
    """Tickets open at the end of the period (the working set of rpt_open)."""
    return col(Ticket.id).in_(select(OPEN.c.ticket_id))


def _analyse(session: Session, table: str) -> None:
    """PostgreSQL plans the joins on a temporary table well only once it has statistics."""
    if _on_postgres(session):
        session.execute(text(f"ANALYZE {table}"))


def _waiting(session: Session, org: Organisation) -> None:
    """Business seconds each ticket spent waiting for the reporter before its resolution:
    each waiting step of the period's tickets, until the next status change (index lookups
    on the ticket's audit trail, never a scan of all events)."""
    ev, r = TicketEvent, RESOLVED.c
    nxt = aliased(TicketEvent)
    next_at = (
        select(func.min(nxt.at))
        .where(
            col(nxt.ticket_id) == col(ev.ticket_id),
            col(nxt.kind) == EventKind.status,
            col(nxt.at) > col(ev.at),
        )
        .scalar_subquery()
    )
    steps = (
        select(
            r.ticket_id.label("ticket_id"),
            r.period.label("period"),
            r.destination.label("destination"),
            col(ev.at).label("at"),
            least(func.coalesce(next_at, r.resolved_at), r.resolved_at).label("until"),
        )
        .join_from(RESOLVED, TicketEvent, col(ev.ticket_id) == r.ticket_id)
        .where(
            *changed_to(Status.waiting),
            col(ev.at) < r.resolved_at,
            # the span of these tickets' lives: an index range instead of every event
            col(ev.at) >= select(func.min(r.created_at)).scalar_subquery(),
            col(ev.at) <= select(func.max(r.resolved_at)).scalar_subquery(),
        )
        .subquery()
    )
    waited = select(
        steps.c.ticket_id,
        steps.c.period,
        func.sum(
            business_clock(steps.c.until, calendar_of(org, steps.c.destination))
            - business_clock(steps.c.at, calendar_of(org, steps.c.destination))
        ),
    ).group_by(steps.c.ticket_id, steps.c.period)
    connection = session.connection()
    connection.execute(insert(WAITING).from_select(["ticket_id", "period", "waiting_s"], waited))
    w = WAITING.c
    connection.execute(
        update(RESOLVED)
        .values(
            waiting_s=select(w.waiting_s)
            .where(and_(w.ticket_id == r.ticket_id, w.period == r.period))
            .scalar_subquery()
        )
        .where(
            select(w.ticket_id)
            .where(and_(w.ticket_id == r.ticket_id, w.period == r.period))
            .exists()
        )
    )


def drop(ctx: Context) -> None:
    connection = ctx.session.connection()
    for table in (WAITING, RESOLVED, OPEN):
        table.drop(connection, checkfirst=True)
    drop_calendars(ctx.session)
