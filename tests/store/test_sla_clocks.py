"""The SLA clocks of stored tickets: set at creation from the destination's contract, paused
while waiting for the reporter, moved on with the destination. Time travel through `now`."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from router.domain.route import Route
from router.domain.vocabulary import EventKind, RoutedHow, Status, TicketType
from router.store import tickets as store
from router.store.tables import TicketEvent

AMS = ZoneInfo("Europe/Amsterdam")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def _ticket(session, org, destination: str, *, now: datetime, impact="low", urgency="medium"):
    data = store.NewTicket(
        municipality="DYK",
        reporter=store.Reporter("rest", "emp-1", email="emp-1@dijkstede.nl"),
        type=TicketType.incident,
        title="Printer doet niets",
        description="de printer op de tweede verdieping doet niets",
        impact=impact,
        urgency=urgency,
    )
    ticket = store.create_ticket(
        session, data=data, route=Route(destination, RoutedHow.rule, 1.0), org=org,
        actor="test", now=now,
    )  # fmt: skip
    session.commit()
    return ticket


def test_a_new_ticket_gets_response_and_resolution_due_times(session, org):
    ticket = _ticket(session, org, "werkplek", now=local(2026, 4, 24, 15, 0))  # P3, Friday
    assert ticket.priority == "P3"
    # Response 4 h: 2 h on Friday, Koningsdag and the weekend skipped, 2 h on Tuesday.
    assert ticket.response_due_at.astimezone(AMS) == local(2026, 4, 28, 10, 0)
    # Resolution 27 h: Fri 2, Tue 9, Wed 9, Thu 7 -> Thursday 15:00.
    assert ticket.sla_due_at.astimezone(AMS) == local(2026, 4, 30, 15, 0)
    assert ticket.sla_state == "none" and ticket.sla_paused_seconds == 0


def test_a_supplier_contract_sets_the_clocks_of_its_tickets(session, org):
    ticket = _ticket(session, org, "kpn", now=local(2026, 4, 24, 15, 0))  # P3 at KPN: 8 h / 24 h
    assert ticket.response_due_at.astimezone(AMS) == local(2026, 4, 28, 14, 0)
    assert ticket.sla_due_at.astimezone(AMS) == local(2026, 4, 30, 12, 0)  # Fri 2, Tue 9, Wed 9
    centric = _ticket(session, org, "centric", now=local(2026, 4, 24, 15, 0), urgency="high")
    assert centric.priority == "P3"  # low x high
    # Centric: 40 h; Fri 2, Tue 9, Wed 9, Thu 9, Fri 1 May 9, Mon 4 May 08:00-10:00.
    assert centric.sla_due_at.astimezone(AMS) == local(2026, 5, 4, 10, 0)
    roxit = _ticket(session, org, "roxit", now=local(2026, 4, 24, 15, 0))
    # Roxit: our 27 h in its 08:30-17:00 days: Fri 2, Tue 8.5, Wed 8.5, Thu 8 from 08:30.
    assert roxit.sla_due_at.astimezone(AMS) == local(2026, 4, 30, 16, 30)


def test_waiting_for_the_reporter_pauses_the_resolution_clock(session, org):
    ticket = _ticket(session, org, "werkplek", now=local(2026, 4, 23, 10, 0))  # Thursday, P3
    assert ticket.sla_due_at.astimezone(AMS) == local(2026, 4, 29, 10, 0)
    store.change_status(
        session, reference=ticket.reference, status=Status.waiting, actor="sanne", org=org,
        now=local(2026, 4, 24, 16, 0),
    )  # fmt: skip
    session.commit()
    assert store.get_ticket(session, ticket.reference).waiting_since == local(2026, 4, 24, 16, 0)
    # The reporter answers on Tuesday 09:00: Friday 16-17 and Tuesday 08-09 were waited;
    # the weekend and Koningsdag were never business time.
    store.change_status(
        session, reference=ticket.reference, status=Status.in_progress, actor="sanne", org=org,
        now=local(2026, 4, 28, 9, 0),
    )  # fmt: skip
    session.commit()
    ticket = store.get_ticket(session, ticket.reference)
    assert ticket.sla_paused_seconds == 2 * 3600 and ticket.waiting_since is None
    assert ticket.sla_due_at.astimezone(AMS) == local(2026, 4, 29, 12, 0)
    moved = session.exec(
        select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == EventKind.sla
        )
    ).one()
    assert moved.note == (
        "Oplostermijn 2.0 werkuur opgeschoven (gewacht op de melder), nu 29-04-2026 12:00"
    )


def test_a_second_wait_adds_to_the_first(session, org):
    ticket = _ticket(session, org, "werkplek", now=local(2026, 4, 23, 10, 0))
    steps = [
        (Status.waiting, local(2026, 4, 23, 11, 0)),
        (Status.in_progress, local(2026, 4, 23, 12, 30)),  # 1.5 h
        (Status.waiting, local(2026, 4, 24, 16, 0)),
        (Status.in_progress, local(2026, 4, 28, 9, 0)),  # 2 h
    ]
    for status, at in steps:
        store.change_status(
            session, reference=ticket.reference, status=status, actor="sanne", org=org, now=at
        )
    session.commit()
    ticket = store.get_ticket(session, ticket.reference)
    assert ticket.sla_paused_seconds == int(3.5 * 3600)
    assert ticket.sla_due_at.astimezone(AMS) == local(2026, 4, 29, 13, 30)


def test_resolving_while_waiting_stops_the_clock_without_org(session, org):
    ticket = _ticket(session, org, "werkplek", now=local(2026, 4, 23, 10, 0))
    store.change_status(
        session, reference=ticket.reference, status=Status.waiting, actor="sanne", org=org,
        now=local(2026, 4, 23, 11, 0),
    )  # fmt: skip
    store.change_status(
        session, reference=ticket.reference, status=Status.resolved, actor="sanne",
        now=local(2026, 4, 23, 12, 0),
    )  # fmt: skip
    ticket = store.get_ticket(session, ticket.reference)
    assert ticket.waiting_since is None and ticket.resolved_at == local(2026, 4, 23, 12, 0)


def test_restarting_a_clock_needs_the_organisation(session, org):
    ticket = _ticket(session, org, "werkplek", now=local(2026, 4, 23, 10, 0))
    store.change_status(
        session, reference=ticket.reference, status=Status.waiting, actor="sanne", org=org
    )
    with pytest.raises(ValueError, match="needs the organisation"):
        store.change_status(
            session, reference=ticket.reference, status=Status.in_progress, actor="sanne"
        )


def test_a_reassignment_takes_the_new_destinations_contract(session, org):
    ticket = _ticket(session, org, "servicedesk", now=local(2026, 4, 24, 15, 0))
    assert ticket.sla_due_at.astimezone(AMS) == local(2026, 4, 30, 15, 0)  # the org's 27 h
    store.reassign(
        session, reference=ticket.reference, destination="kpn", actor="sanne",
        reason="telefonie", org=org,
    )  # fmt: skip
    session.commit()
    ticket = store.get_ticket(session, ticket.reference)
    assert ticket.response_due_at.astimezone(AMS) == local(2026, 4, 28, 14, 0)  # KPN: 8 h
    assert ticket.sla_due_at.astimezone(AMS) == local(2026, 4, 30, 12, 0)  # KPN: 24 h
