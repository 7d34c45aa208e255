"""The ticket store on SQLite and PostgreSQL: lifecycle, transitions, audit trail, masking."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from router.domain.lifecycle import InvalidTransition
from router.domain.vocabulary import Status, TicketType
from router.routing.decision import CatalogueRouter, RouteRequest
from router.store import tickets as store
from router.store.tables import RouteCorrection


def _new(
    municipality="DYK",
    application="Key2Burgerzaken",
    description="loopt vast bij opslaan",
    type_=TicketType.incident,
    sender="emp-1",
    impact="low",
    urgency="medium",
):
    return store.NewTicket(
        municipality=municipality,
        type=type_,
        application=application,
        title="Key2Burgerzaken loopt vast",
        description=description,
        impact=impact,
        urgency=urgency,
        reporter=store.Reporter(channel="rest", sender_id=sender, email=f"{sender}@dijkstede.nl"),
    )


def _create(session, org, data=None, now=None):
    data = data or _new()
    route = CatalogueRouter(org).route(
        RouteRequest(
            text=data.description,
            municipality=data.municipality,
            application=data.application,
            type=data.type,
        )
    )
    ticket = store.create_ticket(session, data=data, route=route, org=org, actor="test", now=now)
    session.commit()
    return ticket


def test_created_ticket_is_routed_numbered_and_prioritised(session, org):
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
    ticket = _create(session, org, now=now)
    assert ticket.reference == "M-2026-000001"
    assert ticket.status == Status.routed
    assert (ticket.destination, ticket.routed_how, ticket.route_confidence) == (
        "centric",
        "catalogue",
        1.0,
    )
    assert ticket.priority == "P3"
    # Centric's contract: P3 in 40 business hours (Mon 7, Tue-Thu 9 each, Fri 6).
    assert ticket.sla_due_at == datetime(2026, 11, 27, 13, 0, tzinfo=UTC)  # Friday 14:00
    second = _create(session, org, _new(sender="emp-2"))
    assert second.reference.endswith("-000002")


def test_numbers_start_again_each_year(session, org):
    _create(session, org, now=datetime(2026, 12, 31, 10, tzinfo=UTC))
    first_of_year = _create(session, org, now=datetime(2027, 1, 4, 10, tzinfo=UTC))
    assert first_of_year.reference == "M-2027-000001"


def test_same_employee_is_found_again_by_channel_identity(session, org):
    a = _create(session, org)
    b = _create(session, org)
    assert a.reporter_id == b.reporter_id


def test_lifecycle_sets_timestamps_and_writes_the_audit_trail(session, org):
    ref = _create(session, org).reference
    for status in (Status.forwarded, Status.in_progress, Status.waiting, Status.resolved):
        store.change_status(session, reference=ref, status=status, actor="sd-anna")
        session.commit()
    ticket = store.get_ticket(session, ref)
    assert ticket.first_response_at is not None and ticket.resolved_at is not None
    store.change_status(
        session, reference=ref, status=Status.reopened, actor="sd-anna", note="toch niet"
    )
    store.change_status(session, reference=ref, status=Status.resolved, actor="sd-anna")
    store.change_status(session, reference=ref, status=Status.closed, actor="sd-anna")
    session.commit()
    ticket = store.get_ticket(session, ref)
    assert ticket.status == Status.closed and ticket.closed_at is not None
    trail = [(e.kind, e.old_value, e.new_value) for e in store.ticket_events(session, ticket)]
    assert trail[:3] == [
        ("created", None, ref),
        ("routed", None, "centric"),
        ("status", "new", "routed"),
    ]
    assert [t[1:] for t in trail[3:]] == [
        ("routed", "forwarded"),
        ("forwarded", "in_progress"),
        ("in_progress", "waiting"),
        ("waiting", "resolved"),
        ("resolved", "reopened"),
        ("reopened", "resolved"),
        ("resolved", "closed"),
    ]
    assert all(e.actor == "sd-anna" for e in store.ticket_events(session, ticket)[3:])


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ([], Status.closed),
        ([], Status.reopened),
        ([Status.withdrawn], Status.in_progress),
        ([Status.resolved, Status.closed], Status.reopened),
        ([Status.resolved], Status.waiting),
    ],
)
def test_invalid_transition_is_refused_and_changes_nothing(session, org, path, wanted):
    ref = _create(session, org).reference
    for status in path:
        store.change_status(session, reference=ref, status=status, actor="sd")
    session.commit()
    before = store.get_ticket(session, ref).status
    events_before = len(store.ticket_events(session, store.get_ticket(session, ref)))
    with pytest.raises(InvalidTransition, match=f"{ref}: cannot go from '{before}' to '{wanted}'"):
        store.change_status(session, reference=ref, status=wanted, actor="sd")
    session.rollback()
    ticket = store.get_ticket(session, ref)
    assert ticket.status == before
    assert len(store.ticket_events(session, ticket)) == events_before


def test_reassignment_is_recorded_as_a_correction(session, org):
    ticket = _create(session, org, _new(application=None, description="iets raars aan de hand"))
    assert (ticket.destination, ticket.routed_how, ticket.needs_review) == (
        "servicedesk",
        "triage",
        True,
    )
    store.reassign(
        session,
        reference=ticket.reference,
        destination="werkplek",
        actor="sd-bob",
        reason="beeldscherm is werkplek",
        org=org,
    )
    session.commit()
    ticket = store.get_ticket(session, ticket.reference)
    assert (ticket.destination, ticket.routed_how, ticket.needs_review) == (
        "werkplek",
        "staff",
        False,
    )
    correction = session.exec(select(RouteCorrection)).one()
    assert (correction.from_destination, correction.to_destination) == ("servicedesk", "werkplek")
    assert "iets raars aan de hand" in correction.text
    assert store.ticket_events(session, ticket)[-1].note == "beeldscherm is werkplek"
    with pytest.raises(store.UnknownDestination):
        store.reassign(
            session, reference=ticket.reference, destination="nasa", actor="x", reason=None, org=org
        )


def test_comments_to_the_reporter_count_as_first_response(session, org):
    ref = _create(session, org).reference
    store.add_comment(
        session, reference=ref, author="sd-anna", text="We kijken ernaar", to_reporter=True
    )
    session.commit()
    ticket = store.get_ticket(session, ref)
    assert ticket.first_response_at is not None
    assert [c.text for c in store.ticket_comments(session, ticket)] == ["We kijken ernaar"]


def test_unknown_reference(session):
    with pytest.raises(store.TicketNotFound):
        store.get_ticket(session, "M-2026-999999")


def test_bsn_and_iban_never_reach_the_database(session, org):
    text = (
        "Burger met BSN 1234.56.782 en rekening NL91 ABNA 0417 1643 00 krijgt foutmelding; "
        "zaaknummer 123456789 en telefoon 0612345678 kloppen wel"
    )
    ref = _create(session, org, _new(description=text)).reference
    store.add_comment(
        session, reference=ref, author="sd", text="bsn 111222333 gecontroleerd", to_reporter=False
    )
    store.change_status(
        session, reference=ref, status=Status.waiting, actor="sd", note="wacht op burger 123456782"
    )
    session.commit()
    raw = (
        session.connection()
        .exec_driver_sql(
            "SELECT description FROM ticket UNION ALL SELECT text FROM comment "
            "UNION ALL SELECT coalesce(note, '') FROM ticketevent"
        )
        .scalars()
        .all()
    )
    joined = " ".join(raw)
    assert "782" not in joined.replace("0417 1643 00", "")
    assert "[BSN]" in joined and "111222333" not in joined
    assert "**** **** **** **43 00" in joined and "ABNA" not in joined
    assert "zaaknummer 123456789" in joined and "0612345678" in joined  # not a BSN: stays


def test_list_filters_and_pages(session, org):
    for i, (muni, app) in enumerate(
        [("DYK", "Key2Burgerzaken"), ("PLW", "iBurgerzaken"), ("PLW", "Youforce"), ("HRD", None)]
    ):
        _create(session, org, _new(municipality=muni, application=app, sender=f"e{i}"))
    page, total = store.list_tickets(session, municipality="PLW")
    assert total == 2 and {t.destination for t in page} == {"pinkroccade", "visma-raet"}
    page, total = store.list_tickets(session, destination="servicedesk")
    assert total == 1 and page[0].municipality == "HRD"
    page, total = store.list_tickets(session, reporter_email="E1@dijkstede.nl")
    assert [t.application for t in page] == ["iBurgerzaken"]
    page, total = store.list_tickets(session, limit=3, offset=3)
    assert total == 4 and len(page) == 1
    assert page[0].reference.endswith("000001")  # newest first
    assert store.list_tickets(session, search="000002")[1] == 1
