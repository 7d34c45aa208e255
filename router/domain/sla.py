"""SLA clocks in business hours (Mon-Fri, office hours, public holidays excluded).

A ticket has two clocks, both set from its creation in its destination's calendar (a
supplier's own hours where its contract sets them) and targets (a supplier contract's, else
the organisation's):

- response: until the first response (any status change past `routed`, or a comment to the
  reporter);
- resolution: until resolved, paused while the ticket waits for the reporter. The business
  time spent waiting is added up in `paused_seconds`; the due time is then the moment the
  target plus the paused time has passed since creation.

A clock is at risk once 75 % of its target is used, and breached at its due time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from router.domain.org import Sla

AT_RISK_SHARE = 0.75


class SlaState(StrEnum):
    none = "none"
    at_risk = "at_risk"
    breached = "breached"


SLA_STATE_ORDER = {SlaState.none: 0, SlaState.at_risk: 1, SlaState.breached: 2}


@lru_cache(maxsize=8)
def _holidays(country: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country)


def _is_business_day(day: date, sla: Sla) -> bool:
    return day.weekday() < 5 and day not in _holidays(sla.holidays)


def _window(day: date, sla: Sla) -> tuple[datetime, datetime] | None:
    """The day's business hours, or None on a weekend or holiday."""
    if not _is_business_day(day, sla):
        return None
    tz = ZoneInfo(sla.timezone)
    opens = time.fromisoformat(sla.business_hours.start)
    closes = time.fromisoformat(sla.business_hours.end)
    return datetime.combine(day, opens, tz), datetime.combine(day, closes, tz)


def due_at(start: datetime, hours: float, sla: Sla) -> datetime:
    """The moment `hours` business hours after `start` have passed (returned in UTC)."""
    tz = ZoneInfo(sla.timezone)
    now = start.astimezone(tz)
    left = timedelta(hours=hours)
    while True:
        day = now.date()
        window = _window(day, sla)
        if window is not None:
            day_open, day_close = window
            begin = max(now, day_open)
            if begin < day_close:
                if begin + left <= day_close:
                    return (begin + left).astimezone(UTC)
                left -= day_close - begin
        now = datetime.combine(day + timedelta(days=1), time(0), tz)


def business_seconds(start: datetime, end: datetime, sla: Sla) -> float:
    """Business seconds from `start` to `end` (0 when end is not after start)."""
    if end <= start:
        return 0.0
    tz = ZoneInfo(sla.timezone)
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    total = 0.0
    while day <= last:
        window = _window(day, sla)
        if window is not None:
            begin, finish = max(start, window[0]), min(end, window[1])
            total += max((finish - begin).total_seconds(), 0.0)
        day += timedelta(days=1)
    return total


@dataclass(frozen=True)
class Clocks:
    response_due_at: datetime
    resolution_due_at: datetime


def clocks(
    *,
    created_at: datetime,
    response_hours: float,
    resolution_hours: float,
    paused_seconds: float,
    calendar: Sla,
) -> Clocks:
    """Both due times of a ticket; the resolution clock moves on by the time paused."""
    return Clocks(
        response_due_at=due_at(created_at, response_hours, calendar),
        resolution_due_at=due_at(created_at, resolution_hours + paused_seconds / 3600, calendar),
    )


def clock_state(now: datetime, due: datetime, target_hours: float, calendar: Sla) -> SlaState:
    """How far a running clock is: breached at its due time, at risk once 75 % is used."""
    if now >= due:
        return SlaState.breached
    left = business_seconds(now, due, calendar)
    if left <= (1 - AT_RISK_SHARE) * target_hours * 3600:
        return SlaState.at_risk
    return SlaState.none


CLOCK_NAMES = {"response": "reactietermijn", "resolution": "oplostermijn"}


def alert_subject(state: SlaState, reference: str, priority: str) -> str:
    if state == SlaState.breached:
        return f"SLA overschreden: {reference} ({priority})"
    return f"SLA dreigt te verlopen: {reference} ({priority})"


def alert_text(state: SlaState, clock: str, due: str) -> str:
    """One line for the audit trail and the alert: which clock, how far, until when."""
    name = CLOCK_NAMES[clock].capitalize()
    if state == SlaState.breached:
        return f"{name} overschreden (verliep {due})"
    return f"{name} dreigt te verlopen: 75 % van de tijd is om (verloopt {due})"


def alert_body(
    state: SlaState, *, reference: str, title: str, destination: str, clock: str, due: str
) -> str:
    """The e-mail to the destination's contact (Dutch)."""
    return (
        f"{alert_text(state, clock, due)}.\n\n"
        f"Melding: {reference}\n"
        f"Onderwerp: {title}\n"
        f"Bij: {destination}\n\n"
        "Dit bericht komt van de SLA-bewaking van Loket. Reageer met de stand van zaken "
        "en vermeld de referentie van de melding.\n"
    )
