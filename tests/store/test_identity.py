"""Who filed a ticket: a verified e-mail wins over a chat sender binding, and two people are
never merged (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlmodel import select

from router.domain.vocabulary import TicketType
from router.routing.decision import CatalogueRouter, RouteRequest
from router.store import tickets as store
from router.store.tables import ChannelIdentity, Employee, TicketEvent


def _file(session, org, *, sender="shared-1", email=None, name=None, channel="rest"):
    data = store.NewTicket(
        municipality="DYK",
        type=TicketType.incident,
        application="Key2Burgerzaken",
        title="Key2Burgerzaken loopt vast",
        description="loopt vast bij opslaan",
        impact="low",
        urgency="medium",
        reporter=store.Reporter(channel=channel, sender_id=sender, email=email, name=name),
    )
    route = CatalogueRouter(org).route(
        RouteRequest(text=data.description, municipality="DYK", application=data.application)
    )
    ticket = store.create_ticket(session, data=data, route=route, org=org, actor="test")
    session.commit()
    return ticket


def _email_of(session, ticket):
    return store.reporter_of(session, ticket).email


def _binding(session, sender="shared-1"):
    identity = session.exec(
        select(ChannelIdentity).where(ChannelIdentity.sender_id == sender)
    ).one()
    return session.get_one(Employee, identity.employee_id)


def test_a_reused_sender_id_with_another_email_files_under_that_person(session, org):
    anna = _file(session, org, email="anna@dijkstede.nl")
    carl = _file(session, org, email="Carl@dijkstede.nl")
    assert _email_of(session, anna) == "anna@dijkstede.nl"
    assert _email_of(session, carl) == "carl@dijkstede.nl"  # not Anna's
    assert anna.reporter_id != carl.reporter_id
    # Anna keeps her e-mail: Carl's was never attached to her.
    emails = sorted(e.email for e in session.exec(select(Employee)).all())
    assert emails == ["anna@dijkstede.nl", "carl@dijkstede.nl"]
    # The sender id now points at Carl, and the rebinding is on record.
    assert _binding(session).email == "carl@dijkstede.nl"
    created = session.exec(
        select(TicketEvent).where(TicketEvent.ticket_id == carl.id, TicketEvent.kind == "created")
    ).one()
    assert "opnieuw gekoppeld" in created.note and f"was #{anna.reporter_id}" in created.note
    # And back: Anna on the same sender id is Anna again, not a third person.
    again = _file(session, org, email="anna@dijkstede.nl")
    assert again.reporter_id == anna.reporter_id
    assert len(session.exec(select(Employee)).all()) == 2


def test_first_contact_without_email_gets_it_attached_later(session, org):
    first = _file(session, org, sender="tg-7", channel="telegram")
    assert _email_of(session, first) is None
    second = _file(session, org, sender="tg-7", channel="telegram", email="bo@dijkstede.nl")
    assert second.reporter_id == first.reporter_id
    assert _email_of(session, second) == "bo@dijkstede.nl"
    assert len(session.exec(select(Employee)).all()) == 1


def test_without_email_the_sender_binding_decides(session, org):
    first = _file(session, org, email="anna@dijkstede.nl")
    second = _file(session, org)
    assert second.reporter_id == first.reporter_id


def test_an_email_of_another_employee_moves_the_sender_binding_to_them(session, org):
    dirk = _file(session, org, sender="dirk-teams", email="dirk@dijkstede.nl")
    anonymous = _file(session, org, sender="tg-9", channel="telegram")
    assert anonymous.reporter_id != dirk.reporter_id
    later = _file(session, org, sender="tg-9", channel="telegram", email="dirk@dijkstede.nl")
    assert later.reporter_id == dirk.reporter_id
    assert _binding(session, "tg-9").id == dirk.reporter_id
    # The employee first seen without an e-mail is not given Dirk's address.
    nameless = session.get_one(Employee, anonymous.reporter_id)
    assert nameless.email is None
