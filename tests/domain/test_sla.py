"""SLA clocks in business hours: weekends, Koningsdag, supplier hours and the 75 % mark."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from router.domain.sla import SlaState, business_seconds, clock_state, clocks, due_at

AMS = ZoneInfo("Europe/Amsterdam")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def test_a_clock_skips_the_weekend_and_koningsdag(org):
    # Friday 24 April 2026, 15:00; Monday 27 April is Koningsdag.
    due = due_at(local(2026, 4, 24, 15, 0), 9, org.sla)  # P2: 2 h on Friday, 7 h on Tuesday
    assert due.astimezone(AMS) == local(2026, 4, 28, 15, 0)


def test_a_supplier_keeps_its_own_hours_and_contract(org):
    roxit = org.calendar("roxit")
    assert (roxit.business_hours.start, roxit.business_hours.end) == ("08:30", "17:00")
    # Roxit's P2 (the organisation's 9 h) in its 08:30-17:00 days: 2 h on Friday, Koningsdag
    # skipped, 7 h on Tuesday from 08:30.
    due = due_at(local(2026, 4, 24, 15, 0), org.resolution_hours("roxit", "P2"), roxit)
    assert due.astimezone(AMS) == local(2026, 4, 28, 15, 30)
    # Centric's contract sets its own targets, in our hours: 16 h for a P2.
    assert org.resolution_hours("centric", "P2") == 16
    assert org.response_hours("centric", "P1") == 0.5
    due = due_at(local(2026, 4, 24, 15, 0), 16, org.calendar("centric"))
    assert due.astimezone(AMS) == local(2026, 4, 29, 13, 0)  # Fri 2, Tue 9, Wed 5


def test_a_supplier_without_a_contract_follows_the_organisation(org):
    assert org.resolution_hours("decos", "P3") == org.sla.targets_hours["P3"] == 27
    assert org.response_hours("werkplek", "P2") == 2
    assert org.calendar("decos") == org.sla == org.calendar("centric")
    assert org.resolution_hours("roxit", "P1") == 4  # other hours, the organisation's targets


def test_business_seconds_count_only_open_hours(org):
    # Friday 16:00 to Tuesday 09:00 over Koningsdag: 1 h on Friday, 1 h on Tuesday.
    waited = business_seconds(local(2026, 4, 24, 16, 0), local(2026, 4, 28, 9, 0), org.sla)
    assert waited == 2 * 3600
    assert business_seconds(local(2026, 4, 28, 9, 0), local(2026, 4, 24, 16, 0), org.sla) == 0


def test_time_paused_moves_the_resolution_clock_on(org):
    created = local(2026, 4, 23, 10, 0)  # Thursday; P3 = 27 h
    plain = clocks(
        created_at=created, response_hours=4, resolution_hours=27, paused_seconds=0,
        calendar=org.sla,
    )  # fmt: skip
    assert plain.resolution_due_at.astimezone(AMS) == local(2026, 4, 29, 10, 0)
    assert plain.response_due_at.astimezone(AMS) == local(2026, 4, 23, 14, 0)
    paused = clocks(
        created_at=created, response_hours=4, resolution_hours=27, paused_seconds=2 * 3600,
        calendar=org.sla,
    )  # fmt: skip
    assert paused.resolution_due_at.astimezone(AMS) == local(2026, 4, 29, 12, 0)
    assert paused.response_due_at == plain.response_due_at


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (local(2026, 4, 28, 8, 0), SlaState.none),  # 16 of 27 h used
        (local(2026, 4, 28, 12, 14), SlaState.none),  # just before 75 %
        (local(2026, 4, 28, 12, 15), SlaState.at_risk),  # 20.25 h = 75 % used
        (local(2026, 4, 29, 9, 59), SlaState.at_risk),
        (local(2026, 4, 29, 10, 0), SlaState.breached),
    ],
)
def test_at_risk_at_75_percent_and_breached_at_the_due_time(org, now, state):
    due = local(2026, 4, 29, 10, 0)  # 27 h after Thursday 23 April 10:00
    assert clock_state(now, due, 27, org.sla) == state
