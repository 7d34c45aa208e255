"""Major incidents (SQLite and PostgreSQL): an outage with tickets linked to it, forwarded to
the supplier once through its lead ticket, resolving every linked ticket when it closes, and
proposed when several tickets about one application arrive at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from router.domain.vocabulary import EventKind, OutageStatus, Status, TicketType
from router.store import forwarding, major_incidents, outages
from router.store import tickets as store
from router.store.tables import OutboxMessage
from tests.store.test_forwarding import with_forwarding
from tests.store.test_store import _create, _new

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _from_telegram(session, org, sender, *, application="Key2Burgerzaken", municipality="DYK",
                   now=None):  # fmt: skip
    data = _new(application=application, municipality=municipality, sender=sender)
    reporter = store.Reporter(channel="telegram", sender_id=sender, email=f"{sender}@dijkstede.nl")
    return _create(
        session, org, store.NewTicket(**{**data.__dict__, "reporter": reporter}), now=now
    )


def _three(session, org):
    return [
        _from_telegram(session, org, f"70{i}", now=T0 + timedelta(minutes=5 * i)) for i in range(3)
    ]


def _linked_events(session, ticket):
    return [(e.actor, e.new_value, e.note) for e in store.ticket_events(session, ticket)
            if e.kind == EventKind.linked]  # fmt: skip


def test_a_major_incident_links_its_tickets_and_the_oldest_leads(session, org):
    first, second, third = _three(session, org)
    outage = major_incidents.open_major_incident(
        session, title="Key2Burgerzaken plat", references=[third.reference, first.reference,
        second.reference], actor="sd.anna",
    )  # fmt: skip
    session.commit()
    assert (outage.application, outage.municipalities) == ("Key2Burgerzaken", [])
    assert outage.lead_reference == first.reference
    for ticket in (first, second, third):
        assert store.get_ticket(session, ticket.reference).outage_id == outage.id
    assert _linked_events(session, first) == [
        ("sd.anna", f"#{outage.id}", "Key2Burgerzaken plat (hoofdmelding)")
    ]
    assert _linked_events(session, second) == [("sd.anna", f"#{outage.id}", "Key2Burgerzaken plat")]
    # A new report about the application is linked as it is filed, with an audit event.
    later = _create(session, org, _new(municipality="VHN", sender="800"), now=T0 + timedelta(1))
    assert later.outage_id == outage.id
    assert _linked_events(session, later) == [("test", f"#{outage.id}", "Key2Burgerzaken plat")]
    assert [t.reference for t in major_incidents.linked_tickets(session, outage_id=outage.id)] == [
        first.reference, second.reference, third.reference, later.reference,
    ]  # fmt: skip


def test_the_first_report_of_an_announced_outage_carries_it_to_the_supplier(session, org):
    outage = outages.open_outage(
        session, title="Youforce traag", application="Youforce", municipalities=[]
    )
    session.commit()
    first = _create(session, org, _new(application="Youforce", sender="900"))
    second = _create(session, org, _new(application="Youforce", sender="901"))
    assert outages.get_outage(session, outage.id).lead_reference == first.reference
    assert _linked_events(session, first)[0][2] == "Youforce traag (hoofdmelding)"
    assert second.outage_id == outage.id
    # A request or a data breach about the application is no report of the outage.
    for kind in (TicketType.request, TicketType.data_breach):
        other = _create(session, org, _new(application="Youforce", sender="902", type_=kind))
        assert other.outage_id is None


def test_the_major_incident_goes_to_the_supplier_once_through_its_lead(session, org):
    first, second, third = _three(session, org)
    outage = major_incidents.open_major_incident(
        session, title="Key2Burgerzaken plat", references=[t.reference for t in (first, second,
        third)], actor="sd",
    )  # fmt: skip
    forwarding.forward(session, reference=first.reference, actor="sd", org=org)
    session.commit()
    with pytest.raises(forwarding.NotForwardable, match=f"via melding {first.reference}"):
        forwarding.forward(session, reference=second.reference, actor="sd", org=org)
    session.rollback()
    # Auto-forwarding (Centric with auto: true) skips a new report linked to the incident.
    auto = with_forwarding(org, "centric", auto=True)
    later = _create(session, auto, _new(sender="800"))
    assert later.outage_id == outage.id
    assert forwarding.auto_forward(session, ticket=later, org=auto) is None
    session.commit()
    forwards = session.exec(select(OutboxMessage).where(OutboxMessage.channel == "topdesk")).all()
    assert [m.ticket_id for m in forwards] == [first.id]
    assert store.get_ticket(session, later.reference).status == Status.routed


def test_closing_the_incident_resolves_and_notifies_every_linked_open_ticket(session, org):
    first, second, third = _three(session, org)
    outage = major_incidents.open_major_incident(
        session, title="Key2Burgerzaken plat", references=[t.reference for t in (first, second,
        third)], actor="sd",
    )  # fmt: skip
    store.change_status(session, reference=third.reference, status=Status.withdrawn, actor="emp")
    session.commit()
    resolved = major_incidents.close_outage(
        session, outage_id=outage.id, actor="sd.anna", org=org, note="Centric heeft een patch"
    )
    session.commit()
    assert [t.reference for t in resolved] == [first.reference, second.reference]
    assert outages.get_outage(session, outage.id).status == OutageStatus.closed
    for ticket in (first, second):
        ticket = store.get_ticket(session, ticket.reference)
        assert ticket.status == Status.resolved and ticket.resolved_at is not None
        last = store.ticket_events(session, ticket)[-1]
        assert (last.actor, last.new_value) == ("sd.anna", Status.resolved)
        assert last.note == (
            f"Opgelost met de storing 'Key2Burgerzaken plat' (#{outage.id}): Centric heeft een patch"
        )
    assert store.get_ticket(session, third.reference).status == Status.withdrawn
    news = session.exec(select(OutboxMessage).where(OutboxMessage.channel == "telegram")).all()
    assert sorted((m.recipient, "is opgelost" in m.body) for m in news) == [
        ("700", True), ("701", True),
    ]  # fmt: skip
    # A closed incident takes no new links, and new reports start on their own again.
    with pytest.raises(major_incidents.NotLinkable, match="gesloten"):
        major_incidents.link_ticket(session, outage_id=outage.id, reference=third.reference,
                                    actor="sd")  # fmt: skip
    assert _create(session, org, _new(sender="800")).outage_id is None


def test_a_closed_ticket_is_not_linked(session, org):
    ticket = _create(session, org)
    store.change_status(session, reference=ticket.reference, status=Status.resolved, actor="sd")
    outage = outages.open_outage(session, title="Plat", application=None, municipalities=[])
    with pytest.raises(major_incidents.NotLinkable, match="niet meer open"):
        major_incidents.link_ticket(session, outage_id=outage.id, reference=ticket.reference,
                                    actor="sd")  # fmt: skip


def test_three_reports_within_the_window_are_a_burst(session, org):
    now = T0 + timedelta(minutes=10)
    _create(session, org, _new(sender="600"), now=T0 - timedelta(minutes=45))  # too long ago
    two = [_create(session, org, _new(sender=f"60{i}"), now=T0 + timedelta(minutes=i))
           for i in (1, 2)]  # fmt: skip
    _create(session, org, _new(application="Youforce", sender="610"), now=T0)
    assert major_incidents.bursts(session, now=now, tickets=3, minutes=30) == []
    third = _create(
        session, org, _new(municipality="VHN", sender="603"), now=T0 + timedelta(0, 300)
    )
    [burst] = major_incidents.bursts(session, now=now, tickets=3, minutes=30)
    assert [t.reference for t in burst] == [two[0].reference, two[1].reference, third.reference]
    # A coordinator of Dijkstede sees the two of Dijkstede only: no burst for them.
    assert major_incidents.bursts(session, now=now, tickets=3, minutes=30, municipality="DYK") == []
    major_incidents.open_major_incident(session, title="Plat", actor="sd",
                                        references=[t.reference for t in burst])  # fmt: skip
    assert major_incidents.bursts(session, now=now, tickets=3, minutes=30) == []


def test_a_withdrawn_lead_hands_the_incident_to_the_next_ticket_forwarded(session, org):
    first, second, third = _three(session, org)
    outage = major_incidents.open_major_incident(
        session, title="Key2Burgerzaken plat", actor="sd",
        references=[t.reference for t in (first, second, third)],
    )  # fmt: skip
    store.change_status(session, reference=first.reference, status=Status.withdrawn, actor="emp")
    forwarding.forward(session, reference=second.reference, actor="sd", org=org)
    session.commit()
    assert outages.get_outage(session, outage.id).lead_reference == second.reference
    with pytest.raises(forwarding.NotForwardable, match=f"via melding {second.reference}"):
        forwarding.forward(session, reference=third.reference, actor="sd", org=org)
