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
    select,
    update,
)
from sqlmodel import Session, col

from router.domain.org import Organisation
from router.domain.vocabulary import EventKind, Status
from router.report.hours import (
    business_clock,
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
    Column("forwarded_at", DateTime),
    Column("destination", String(64), nullable=False),
    Column("municipality", String(8), nullable=False),
    Column("application", String(100)),
    Column("priority", String(2), nullable=False),
    Column("type", String(24), nullable=False),
    Column("calendar_s", BigInteger, nullable=False),
    Column("business_s", BigInteger, nullable=False),  # gross: waiting time included
    Column("waiting_s", BigInteger, nullable=False),  # business seconds waiting for the reporter
    Column("after_forward_s", BigInteger),  # business seconds from forwarding to resolution
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


def period_bucket(moment: Any, periods: list[Period]) -> Any:
    """0 for the newest period, 1 for the one before, ... (moment within the trend's span)."""
    newest_first = list(reversed(periods))
    return case(*((moment >= p.start, index) for index, p in enumerate(newest_first)), else_=None)


def sla_seconds() -> Any:
    return RESOLVED.c.business_s - RESOLVED.c.waiting_s


def target_seconds(org: Organisation) -> Any:
    """The resolution target of each row in seconds (per priority; per destination later)."""
    destination = "*"
    return case(
        *(
            (RESOLVED.c.priority == p, int(target_hours(org, destination, p) * 3600))
            for p in ("P1", "P2", "P3", "P4")
        ),
        else_=None,
    )


def met_target(org: Organisation) -> Any:
    return case((sla_seconds() <= target_seconds(org), 1), else_=0)


def build(ctx: Context) -> None:
    """Fill the temporary tables for the report's eight periods."""
    session, trend = ctx.session, ctx.trend
    first, end = trend[0].start, trend[-1].end
    ev = TicketEvent
    events = (
        select(
            col(ev.ticket_id).label("ticket_id"),
            col(ev.at).label("at"),
            period_bucket(col(ev.at), trend).label("period"),
        )
        .where(
            col(ev.kind) == EventKind.status,
            col(ev.new_value) == Status.resolved,
            col(ev.at) >= first,
            col(ev.at) < end,
        )
        .subquery()
    )
    last = (
        select(events.c.ticket_id, events.c.period, func.max(events.c.at).label("resolved_at"))
        .group_by(events.c.ticket_id, events.c.period)
        .subquery()
    )
    t = TICKET.c
    oldest = session.execute(
        select(func.min(t.created_at)).join_from(last, TICKET, t.id == last.c.ticket_id)
    ).scalar()
    calendar_from = min(oldest.date() if oldest else first.date(), first.date())
    fill_calendars(
        session, ctx.org, calendar_from - timedelta(days=2), end.date() + timedelta(days=2)
    )
    connection = session.connection()
    for table in (WAITING, RESOLVED):
        table.drop(connection, checkfirst=True)
        table.create(connection)
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
        business_clock(last.c.resolved_at) - business_clock(t.created_at),
        literal(0),
    ).join_from(last, TICKET, t.id == last.c.ticket_id)
    columns = [
        "ticket_id", "period", "resolved_at", "created_at", "destination", "municipality",
        "application", "priority", "type", "calendar_s", "business_s", "waiting_s",
    ]  # fmt: skip
    connection.execute(insert(RESOLVED).from_select(columns, rows))
    _waiting(session)
    _forwarded(session)


def _waiting(session: Session) -> None:
    """Business seconds each ticket spent waiting for the reporter before its resolution."""
    ev, r = TicketEvent, RESOLVED.c
    steps = (
        select(
            col(ev.ticket_id).label("ticket_id"),
            col(ev.at).label("at"),
            col(ev.new_value).label("new_value"),
            func.lead(col(ev.at))
            .over(partition_by=col(ev.ticket_id), order_by=(col(ev.at), col(ev.id)))
            .label("next_at"),
        )
        .where(
            col(ev.kind) == EventKind.status,
            col(ev.ticket_id).in_(select(r.ticket_id).distinct()),
        )
        .subquery()
    )
    until = least(func.coalesce(steps.c.next_at, r.resolved_at), r.resolved_at)
    waited = (
        select(
            r.ticket_id,
            r.period,
            func.sum(business_clock(until) - business_clock(steps.c.at)),
        )
        .join_from(RESOLVED, steps, steps.c.ticket_id == r.ticket_id)
        .where(steps.c.new_value == Status.waiting, steps.c.at < r.resolved_at)
        .group_by(r.ticket_id, r.period)
    )
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


def _forwarded(session: Session) -> None:
    """When each ticket was first forwarded to a supplier, and its business time since."""
    ev, r = TicketEvent, RESOLVED.c
    first_forward = (
        select(func.min(col(ev.at)))
        .where(
            col(ev.ticket_id) == r.ticket_id,
            col(ev.kind) == EventKind.status,
            col(ev.new_value) == Status.forwarded,
            col(ev.at) <= r.resolved_at,
        )
        .scalar_subquery()
    )
    connection = session.connection()
    connection.execute(update(RESOLVED).values(forwarded_at=first_forward))
    connection.execute(
        update(RESOLVED)
        .values(after_forward_s=business_clock(r.resolved_at) - business_clock(r.forwarded_at))
        .where(r.forwarded_at.is_not(None))
    )


def drop(ctx: Context) -> None:
    connection = ctx.session.connection()
    for table in (WAITING, RESOLVED):
        table.drop(connection, checkfirst=True)
    drop_calendars(ctx.session)
