"""Reading when a data breach was discovered from the employee's Dutch answer."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from actions.discovery_time import ImplausibleCount, ImplausibleMoment, discovered_at, people_count
from actions.wording import TIMEZONE

NOW = datetime(2026, 11, 23, 16, 5, tzinfo=TIMEZONE)  # a Monday afternoon


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TIMEZONE)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("vanochtend om 9 uur", at(23, 9)),
        ("vanmiddag om 2 uur", at(23, 14)),
        ("Vanmorgen rond half tien", at(23, 9, 30)),
        ("vandaag om 14:30", at(23, 14, 30)),
        ("om 11.15", at(23, 11, 15)),
        ("rond vier uur", at(23, 16)),  # at work, four o'clock is in the afternoon
        ("gisteren rond vier uur", at(22, 16)),
        ("gisteravond om 8 uur", at(22, 20)),
        ("gisteren", at(22, 0)),  # no time: the start of the day, never a late deadline
        ("gistermiddag", at(22, 12)),
        ("eergisteren om kwart over 9", at(21, 9, 15)),
        ("vrijdagmiddag", at(20, 12)),
        ("afgelopen vrijdag om 10 uur", at(20, 10)),
        ("maandag om 8 uur", at(23, 8)),  # today is a Monday
        ("net", NOW),
        ("een paar minuten geleden", NOW),
        ("2 uur geleden", NOW - timedelta(hours=2)),
        ("een half uur geleden", NOW - timedelta(minutes=30)),
        ("tien minuten geleden", NOW - timedelta(minutes=10)),
    ],
)
def test_common_answers(answer, expected):
    assert discovered_at(answer, NOW) == expected


def test_never_in_the_future():
    assert discovered_at("om 17 uur", NOW) == at(22, 17)  # said at 16:05: yesterday's five
    assert discovered_at("vanavond", NOW) == NOW


@pytest.mark.parametrize("answer", ["weet ik niet", "vorige maand ergens", "", "1 persoon"])
def test_unclear_answers_give_none(answer):
    assert discovered_at(answer, NOW) is None


@pytest.mark.parametrize("answer", [
    "100000000 uur geleden",  # overflowed timedelta before
    "9" * 5000 + " uur geleden",  # int() of 5,000 digits is refused on Python 3.10.7+
    "999999999999 kwartier geleden",
    "10000 uur geleden",  # more than a year
    "600000 minuten geleden",
])
def test_absurd_moments_are_implausible_never_an_exception_of_another_kind(answer):
    with pytest.raises(ImplausibleMoment):
        discovered_at(answer, NOW)


def test_up_to_a_year_ago_is_still_read():
    assert discovered_at("8000 uur geleden", NOW) == NOW - timedelta(hours=8000)


@pytest.mark.parametrize(("answer", "count"), [
    ("ongeveer 250", 250), ("1.200 inwoners", 1200), ("10.000.000", 10_000_000),
    ("weet ik niet", None), ("", None), ("1 persoon", 1),
])
def test_people_count(answer, count):
    assert people_count(answer) == count


@pytest.mark.parametrize("answer", ["10000001", "9" * 5000, "ongeveer 99999999999999999999 mensen"])
def test_absurd_counts_are_implausible(answer):
    with pytest.raises(ImplausibleCount):
        people_count(answer)
