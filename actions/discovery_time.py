"""When a data breach was discovered, from the employee's Dutch answer ("vanochtend om 9 uur").

The 72 hours for notifying the Dutch DPA count from discovery, not from the report, so the
deadline the bot gives must start there. dateparser was tried first: it misses "vanochtend"
and "vanmiddag" and reads "om 9 uur" as 07:05, so this module reads the few forms people
use: a day (vandaag, gisteren, eergisteren, a weekday), a part of the day (ochtend, middag,
avond, nacht, also glued on: "gisteravond", "vrijdagmiddag"), a clock time ("om 9 uur",
"14:30", "half 10", "kwart over 9", "rond vier uur"), or "net" / "N uur geleden".
Without a clock time it takes the start of the part of the day, so that a deadline is never
later than it should be. What it cannot read gives None: the deadline then counts from the
report, and the privacy officer sees the employee's own words in the ticket. What it can
read but cannot be true ("100000000 uur geleden": more than a year ago) raises
ImplausibleMoment, and the form asks again; so does an absurd number of people
(`people_count`, more than MAX_PEOPLE).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from actions.wording import TIMEZONE

# A discovery longer ago than this is no answer to "when did you discover it?".
MAX_AGE = timedelta(days=365)
# More people than this (the Netherlands has about 18 million) is no answer either.
MAX_PEOPLE = 10_000_000
_MAX_DIGITS = 12  # longer numbers are never read (int() of 5,000 digits is slow or refused)


class ImplausibleMoment(ValueError):
    """The answer names a moment, but not one that can be the discovery."""


class ImplausibleCount(ValueError):
    """The answer names a number of people, but not a possible one."""


_NUMBERS = {
    "een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
    "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12,
}  # fmt: skip
_WEEKDAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
_PART_START = {"nacht": time(0), "ochtend": time(6), "morgen": time(6), "middag": time(12),
               "avond": time(18)}  # fmt: skip
_JUST_NOW = re.compile(r"\b(net|zojuist|zonet|daarnet|nu|zo-?even|een paar minuten geleden)\b")
_AGO = re.compile(r"\b(\w+|een half|half) (minuut|minuten|kwartier|uur|uren) geleden\b")
_NUMBER = r"(\d{1,2}|" + "|".join(_NUMBERS) + ")"
_CLOCK = re.compile(r"\b(\d{1,2})[:.](\d{2})\b")
_HALF = re.compile(rf"\bhalf {_NUMBER}\b")
_QUARTER = re.compile(rf"\bkwart (over|voor) {_NUMBER}\b")
_HOUR = re.compile(
    rf"\b(?:om|rond|tegen|ongeveer|omstreeks) {_NUMBER}(?: uur)?\b|\b{_NUMBER} uur\b"
)
_TODAY = re.compile(r"\b(vandaag|vanochtend|vanmorgen|vanmiddag|vanavond|vannacht)\b")
_YESTERDAY = re.compile(r"\b(eergisteren|gister(en)?(ochtend|morgen|middag|avond|nacht)?)\b")
_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")(ochtend|morgen|middag|avond|nacht)?\b")
_PART = re.compile(r"(ochtend|morgen|middag|avond|nacht)")


def discovered_at(answer: str, now: datetime | None = None) -> datetime | None:
    """The moment the answer names, as an aware datetime not after `now`; None if unclear.

    Raises ImplausibleMoment for a moment more than MAX_AGE ago.
    """
    now = (now or datetime.now(timezone.utc)).astimezone(TIMEZONE)
    text = " ".join(answer.casefold().split())
    ago = _ago(text)
    if ago is not None:
        if ago > MAX_AGE:
            raise ImplausibleMoment(answer)
        return now - ago
    if _JUST_NOW.search(text):
        return now
    day = _day(text, now)
    clock = _clock(text)
    if day is None and clock is None:
        return None
    part = _PART.search(text)
    if clock is not None:
        clock = _afternoon(clock, part.group(1) if part else None)
    if clock is None:
        clock = _PART_START[part.group(1)] if part else time(0)
    moment = datetime.combine(day or now.date(), clock, tzinfo=TIMEZONE)
    if day is None and moment > now:  # "om 10 uur" said at 9: yesterday's ten o'clock
        moment -= timedelta(days=1)
    return min(moment, now)


def _afternoon(clock: time, part: str | None) -> time:
    """ "om 4 uur" at work means 16:00; "'s avonds om 8 uur" 20:00; "'s ochtends om 9 uur" 9:00."""
    if part in ("middag", "avond") and clock.hour < 12:
        return clock.replace(hour=clock.hour + 12)
    if part is None and 1 <= clock.hour <= 7:
        return clock.replace(hour=clock.hour + 12)
    return clock


def _ago(text: str) -> timedelta | None:
    found = _AGO.search(text)
    if not found:
        return None
    amount, unit = found.groups()
    minutes: float
    if unit == "kwartier":
        minutes = 15 * (_number(amount) or 1)
    else:
        n = 0.5 if amount in ("half", "een half") else _number(amount)
        if n is None:
            return None
        minutes = n if unit.startswith("minu") else n * 60
    if minutes > MAX_AGE / timedelta(minutes=1):  # before timedelta() can overflow
        raise ImplausibleMoment(amount[:20])
    return timedelta(minutes=minutes)


def _day(text: str, now: datetime) -> date | None:
    if _TODAY.search(text):
        return now.date()
    yesterday = _YESTERDAY.search(text)
    if yesterday:
        back = 2 if yesterday.group(1) == "eergisteren" else 1
        return now.date() - timedelta(days=back)
    weekday = _WEEKDAY.search(text)
    if weekday:
        back = (now.weekday() - _WEEKDAYS.index(weekday.group(1))) % 7
        return now.date() - timedelta(days=back)
    return None


def _clock(text: str) -> time | None:
    hour: int | None
    if found := _CLOCK.search(text):
        hour, minute = int(found.group(1)), int(found.group(2))
        return time(hour, minute) if hour < 24 and minute < 60 else None
    if found := _QUARTER.search(text):
        hour = _number(found.group(2))
        if hour is None or not 1 <= hour <= 24:
            return None
        start = datetime.combine(datetime.min, time(hour % 24))
        shift = timedelta(minutes=15 if found.group(1) == "over" else -15)
        return (start + shift).time()
    if found := _HALF.search(text):
        hour = _number(found.group(1))  # "half 10" is 9:30
        return time((hour - 1) % 24, 30) if hour and 1 <= hour <= 24 else None
    if found := _HOUR.search(text):
        hour = _number(found.group(1) or found.group(2))
        return time(hour) if hour is not None and hour < 24 else None
    return None


def _number(word: str) -> int | None:
    if word.isdigit():
        if len(word) > _MAX_DIGITS:
            raise ImplausibleMoment(word[:20])
        return int(word)
    return _NUMBERS.get(word)


_COUNT = re.compile(r"\d[\d.]*")


def people_count(answer: str) -> int | None:
    """The number in "ongeveer 250" or "1.200 inwoners"; None without one.

    Raises ImplausibleCount above MAX_PEOPLE (a 5,000-digit number included).
    """
    found = _COUNT.search(answer or "")
    if not found:
        return None
    digits = found.group(0).replace(".", "")
    if not digits or len(digits) > _MAX_DIGITS or int(digits) > MAX_PEOPLE:
        raise ImplausibleCount(found.group(0)[:20])
    return int(digits)
