"""Durations in business hours, in the database: a calendar of business seconds per UTC day.

B(t), the business seconds a calendar has counted up to instant t, is the day's running
total plus the part of its business window that lies before t. A duration in business hours
is then B(end) - B(start): two index lookups per ticket, computed by the database for every
ticket of the period, never by looping over rows in Python. The calendar lives in a
temporary table filled for the days a report needs (a few hundred rows per year).

Each business day's window (e.g. 08:00-17:00 Europe/Amsterdam) must fall within one UTC
date: true for every European office day; a calendar where it does not is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Date,
    MetaData,
    String,
    Table,
    case,
    insert,
    literal,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from router.domain.org import Organisation, Sla
from router.domain.sla import _is_business_day

DEFAULT_CALENDAR = "org"
_TEMP = MetaData()
CALENDAR = Table(
    "rpt_calendar",
    _TEMP,
    Column("calendar", String(64), primary_key=True),
    Column("day", Date, primary_key=True),  # UTC date
    Column("open_s", BigInteger, nullable=False),  # epoch seconds; open == close: closed day
    Column("close_s", BigInteger, nullable=False),
    Column("cum_s", BigInteger, nullable=False),  # business seconds before this day
    prefixes=["TEMPORARY"],
)


class CalendarError(ValueError):
    pass


# --- SQL constructs that differ per dialect ------------------------------------------------


class epoch(FunctionElement[int]):  # noqa: N801 - reads as a SQL function
    """Whole seconds since 1970 of a stored (naive UTC) timestamp."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch, "postgresql")
def _epoch_pg(element: epoch, compiler: Any, **kw: Any) -> str:
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})) AS BIGINT)"


class utc_day(FunctionElement[date]):  # noqa: N801
    type = Date()
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _day_sqlite(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _day_pg(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


class greatest(FunctionElement[Any]):  # noqa: N801
    inherit_cache = True


class least(FunctionElement[Any]):  # noqa: N801
    inherit_cache = True


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
def _least_sqlite(element: least, compiler: Any, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "postgresql")
def _greatest_pg(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(least, "postgresql")
def _least_pg(element: least, compiler: Any, **kw: Any) -> str:
    return f"LEAST({compiler.process(element.clauses, **kw)})"


# --- calendars ---------------------------------------------------------------------------


def calendars(org: Organisation) -> dict[str, Sla]:
    """Every business calendar of the organisation by key: the organisation's own, and one
    per supplier whose contract sets its own business hours (keyed by the supplier)."""
    found = {DEFAULT_CALENDAR: org.sla}
    for supplier in org.suppliers:
        if supplier.business_hours is not None:
            found[supplier.key] = org.calendar(supplier.key)
    return found


def destination_calendar(org: Organisation, destination: str) -> str:
    supplier = org.supplier(destination)
    if supplier is not None and supplier.business_hours is not None:
        return supplier.key
    return DEFAULT_CALENDAR


def calendar_of(org: Organisation, destination: Any) -> Any:
    """In SQL: the calendar key of each row's destination column."""
    own = [key for key in calendars(org) if key != DEFAULT_CALENDAR]
    if not own:
        return literal(DEFAULT_CALENDAR)
    return case(*((destination == key, key) for key in own), else_=literal(DEFAULT_CALENDAR))


def target_hours(org: Organisation, destination: str, priority: str) -> float:
    """The resolution target of a ticket: its supplier contract's, else the organisation's."""
    return org.resolution_hours(destination, priority)


@dataclass(frozen=True)
class Window:
    day: date  # UTC date
    open_s: int
    close_s: int


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp() // 1)


def windows(sla: Sla, first: date, last: date) -> Iterator[Window]:
    """One row per UTC date from first to last: its business window (empty when closed)."""
    tz = ZoneInfo(sla.timezone)
    opens = time.fromisoformat(sla.business_hours.start)
    closes = time.fromisoformat(sla.business_hours.end)
    by_day: dict[date, tuple[int, int]] = {}
    day = first - timedelta(days=1)
    while day <= last + timedelta(days=1):
        if _is_business_day(day, sla):
            begin = datetime.combine(day, opens, tz).astimezone(UTC)
            finish = datetime.combine(day, closes, tz).astimezone(UTC)
            if begin.date() != (finish - timedelta(microseconds=1)).date():
                raise CalendarError(f"business hours of {day} span two UTC dates")
            if begin.date() in by_day:
                raise CalendarError(f"two business windows on UTC date {begin.date()}")
            by_day[begin.date()] = (_epoch(begin), _epoch(finish))
        day += timedelta(days=1)
    day = first
    while day <= last:
        midnight = _epoch(datetime.combine(day, time(0), UTC))
        open_s, close_s = by_day.get(day, (midnight, midnight))
        yield Window(day, open_s, close_s)
        day += timedelta(days=1)


def business_seconds(start: datetime, end: datetime, sla: Sla) -> int:
    """The same arithmetic in Python, for one duration (the demo history, checks)."""
    if end <= start:
        return 0
    total = 0
    for w in windows(sla, start.astimezone(UTC).date(), end.astimezone(UTC).date()):
        total += max(0, min(_epoch(end), w.close_s) - max(_epoch(start), w.open_s))
    return total


def fill_calendars(session: Session, org: Organisation, first: date, last: date) -> None:
    """(Re)create the temporary calendar table for UTC dates first..last."""
    connection = session.connection()
    CALENDAR.drop(connection, checkfirst=True)
    CALENDAR.create(connection)
    rows = []
    for key, sla in calendars(org).items():
        cumulative = 0
        for w in windows(sla, first, last):
            rows.append(
                {"calendar": key, "day": w.day, "open_s": w.open_s, "close_s": w.close_s,
                 "cum_s": cumulative}
            )  # fmt: skip
            cumulative += w.close_s - w.open_s
    connection.execute(insert(CALENDAR), rows)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"ANALYZE {CALENDAR.name}")  # plans use its primary key


def drop_calendars(session: Session) -> None:
    CALENDAR.drop(session.connection(), checkfirst=True)


def _calendar_key(calendar: str | Any) -> Any:
    return literal(calendar) if isinstance(calendar, str) else calendar


def business_clock(moment: ColumnElement[Any], calendar: str | Any = DEFAULT_CALENDAR) -> Any:
    """B(moment) as a scalar subquery: business seconds counted up to the instant, in the
    calendar named (a key, or a column expression such as calendar_of's)."""
    c = CALENDAR.c
    return (
        select(c.cum_s + least(greatest(epoch(moment) - c.open_s, 0), c.close_s - c.open_s))
        .where(c.calendar == _calendar_key(calendar), c.day == utc_day(moment))
        .scalar_subquery()
    )


def clock_at(
    moment: ColumnElement[Any], calendar: str | Any = DEFAULT_CALENDAR
) -> tuple[Any, Any, Any]:
    """B(moment) by a join instead of a subquery (a hash join over many rows): the calendar
    alias to join, the join condition, and the value."""
    day = CALENDAR.alias()
    on = (day.c.calendar == _calendar_key(calendar)) & (day.c.day == utc_day(moment))
    value = day.c.cum_s + least(
        greatest(epoch(moment) - day.c.open_s, 0), day.c.close_s - day.c.open_s
    )
    return day, on, value
