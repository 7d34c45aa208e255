"""SLA clocks in business hours (Mon-Fri, office hours, public holidays excluded)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from router.domain.org import Sla


@lru_cache(maxsize=8)
def _holidays(country: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country)


def _is_business_day(day: date, sla: Sla) -> bool:
    return day.weekday() < 5 and day not in _holidays(sla.holidays)


def due_at(start: datetime, hours: float, sla: Sla) -> datetime:
    """The moment `hours` business hours after `start` have passed (returned in UTC)."""
    tz = ZoneInfo(sla.timezone)
    opens = time.fromisoformat(sla.business_hours.start)
    closes = time.fromisoformat(sla.business_hours.end)
    now = start.astimezone(tz)
    left = timedelta(hours=hours)
    while True:
        day = now.date()
        if _is_business_day(day, sla):
            day_open = datetime.combine(day, opens, tz)
            day_close = datetime.combine(day, closes, tz)
            begin = max(now, day_open)
            if begin < day_close:
                if begin + left <= day_close:
                    return (begin + left).astimezone(UTC)
                left -= day_close - begin
        now = datetime.combine(day + timedelta(days=1), time(0), tz)
