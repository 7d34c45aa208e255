"""The period a report covers: an ISO week or any range of dates, in the organisation's
time zone (Europe/Amsterdam), as UTC instants [start, end)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from router.domain.errors import InvalidInput

_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$")
TREND_PERIODS = 8


class BadPeriod(InvalidInput):
    pass


@dataclass(frozen=True)
class Period:
    first_day: date  # local dates, both included
    last_day: date
    timezone: str
    week: str | None = None  # "2026-W47" when the period is an ISO week

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def start(self) -> datetime:
        return _midnight(self.first_day, self.timezone)

    @property
    def end(self) -> datetime:
        return _midnight(self.last_day + timedelta(days=1), self.timezone)

    @property
    def label(self) -> str:
        span = f"{self.first_day:%d-%m-%Y} t/m {self.last_day:%d-%m-%Y}"
        return f"week {self.week[-2:].lstrip('0')} ({span})" if self.week else span

    @property
    def slug(self) -> str:
        return self.week or f"{self.first_day.isoformat()}_{self.last_day.isoformat()}"

    def back(self, periods: int) -> Period:
        """The period of the same length, `periods` periods earlier."""
        shift = timedelta(days=self.days * periods)
        first = self.first_day - shift
        week = None
        if self.week:
            year, number, _ = first.isocalendar()
            week = f"{year}-W{number:02d}"
        return Period(first, self.last_day - shift, self.timezone, week)

    def trend(self) -> list[Period]:
        """This period and the seven before it, oldest first."""
        return [self.back(k) for k in range(TREND_PERIODS - 1, -1, -1)]


def _midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(timezone)).astimezone(UTC)


def iso_week(text: str, timezone: str) -> Period:
    match = _WEEK.match(text.strip().upper())
    if not match:
        raise BadPeriod(f"'{text}' is no ISO week; write it like 2026-W47")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise BadPeriod(f"{year} has no week {number}") from None
    return Period(monday, monday + timedelta(days=6), timezone, f"{year}-W{number:02d}")


def date_range(first: date, last: date, timezone: str) -> Period:
    if last < first:
        raise BadPeriod(f"--to {last} lies before --from {first}")
    if (last - first).days > 366:
        raise BadPeriod("a report covers at most a year")
    return Period(first, last, timezone)


def last_full_week(now: datetime, timezone: str) -> Period:
    """The ISO week before the one `now` falls in (Monday's report covers last week)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    year, number, _ = (today - timedelta(days=7)).isocalendar()
    return iso_week(f"{year}-W{number:02d}", timezone)
