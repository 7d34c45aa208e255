"""When a job is due: every so many seconds, or daily at a local time (the organisation's zone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Schedule(Protocol):
    def due(self, last_started: datetime | None, now: datetime, since: datetime) -> bool:
        """Whether to run at `now`, given the last run's start (None: never) and the time
        the worker started (`since`)."""
        ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Every:
    """Due at once on a fresh install, then `seconds` after the previous run started."""

    seconds: float

    def due(self, last_started: datetime | None, now: datetime, since: datetime) -> bool:
        return last_started is None or now >= last_started + timedelta(seconds=self.seconds)

    def describe(self) -> str:
        return f"every {self.seconds:g} s"


@dataclass(frozen=True)
class DailyAt:
    """Due once per day at `at` local time in `zone` (Europe/Amsterdam for De Delta).

    A slot missed while no worker ran is caught up once when one comes back; slots before a
    job's first ever worker start are not. On the night clocks spring forward a 02:30 that
    does not exist runs at 03:30 local time (zoneinfo's reading of the missing hour).
    """

    at: time
    zone: str = "Europe/Amsterdam"

    def last_slot(self, now: datetime) -> datetime:
        tz = ZoneInfo(self.zone)
        local = now.astimezone(tz)
        day = local.date()
        slot = datetime.combine(day, self.at, tzinfo=tz)
        if slot > local:
            slot = datetime.combine(day - timedelta(days=1), self.at, tzinfo=tz)
        return slot

    def due(self, last_started: datetime | None, now: datetime, since: datetime) -> bool:
        slot = self.last_slot(now)
        reference = last_started if last_started is not None else since
        return reference < slot <= now

    def describe(self) -> str:
        return f"daily at {self.at:%H:%M} {self.zone}"


def parse_daily(value: str, zone: str) -> DailyAt:
    """'02:00' -> DailyAt(02:00, zone); ValueError names the value."""
    try:
        return DailyAt(time.fromisoformat(value), zone)
    except ValueError:
        raise ValueError(f"'{value}' is not a time of day like 02:00") from None


@dataclass(frozen=True)
class WeeklyAt:
    """Due once per week on `weekday` (0 is Monday) at `at` local time in `zone`; a missed
    slot is caught up once, as with DailyAt."""

    weekday: int
    at: time
    zone: str = "Europe/Amsterdam"

    def last_slot(self, now: datetime) -> datetime:
        daily = DailyAt(self.at, self.zone).last_slot(now)
        back = (daily.weekday() - self.weekday) % 7
        return datetime.combine(daily.date() - timedelta(days=back), self.at, tzinfo=daily.tzinfo)

    def due(self, last_started: datetime | None, now: datetime, since: datetime) -> bool:
        slot = self.last_slot(now)
        reference = last_started if last_started is not None else since
        return reference < slot <= now

    def describe(self) -> str:
        return f"weekly on day {self.weekday} (0 = Monday) at {self.at:%H:%M} {self.zone}"
