"""The access log and the reads of one employee's data, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from router.domain.access_log import AccessWhy, ReasonRequired, why_of_via
from router.domain.route import Route
from router.domain.vocabulary import RoutedHow, Status, TicketType
from router.store import access_log, personal_data, self_service
from router.store import tickets as store
from router.store.tables import Ticket

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _ticket(session, org, email: str, title: str = "Scanner doet niets") -> Ticket:
    ticket = store.create_ticket(
        session,
        data=store.NewTicket(
            municipality="DYK",
            reporter=store.Reporter("rest", f"s-{email}", email=email),
            type=TicketType.incident,
            title=title,
            description="sinds vanochtend",
            impact="low",
            urgency="medium",
            conversation="medewerker: de scanner\nassistent: ik maak een melding",
        ),
        route=Route("servicedesk", RoutedHow.triage, 0.4, needs_review=True),
        org=org,
        actor="assistant",
    )
    session.commit()
    return ticket


def test_why_comes_from_a_fixed_list():
    assert why_of_via("queue") == AccessWhy.queue and why_of_via("search") == AccessWhy.search
    for given in (None, "", "export", "QUEUE", "link", "anything"):
        assert why_of_via(given) == AccessWhy.link


def test_entries_are_newest_first_and_filtered(session, org):
    a, b = _ticket(session, org, "anna@dijkstede.nl"), _ticket(session, org, "bert@dijkstede.nl")
    access_log.record_access(session, staff="sanne", tickets=[a], why=AccessWhy.queue, now=T0)
    access_log.record_access(session, staff="Ada", tickets=[b], why=AccessWhy.search,
                             now=T0 + timedelta(minutes=1))  # fmt: skip
    access_log.record_access(session, staff="sanne", tickets=[b], why=AccessWhy.link,
                             now=T0 + timedelta(minutes=2))  # fmt: skip
    session.commit()
    rows, total = access_log.access_entries(session)
    assert total == 3 and [(r.staff, r.reference, r.why) for r in rows] == [
        ("sanne", b.reference, "link"), ("Ada", b.reference, "search"),
        ("sanne", a.reference, "queue"),
    ]  # fmt: skip
    assert rows[0].at == T0 + timedelta(minutes=2) and rows[0].ticket_id == b.id
    by_ticket, n = access_log.access_entries(session, reference=f" {b.reference.lower()} ")
    assert n == 2 and {r.reference for r in by_ticket} == {b.reference}
    by_staff, n = access_log.access_entries(session, staff="ADA")
    assert n == 1 and by_staff[0].staff == "Ada"
    both, n = access_log.access_entries(session, reference=a.reference, staff="ada")
    assert (both, n) == ([], 0)


def test_entries_are_paged(session, org):
    ticket = _ticket(session, org, "anna@dijkstede.nl")
    for minute in range(access_log.PER_PAGE + 3):
        access_log.record_access(session, staff="sanne", tickets=[ticket], why=AccessWhy.link,
                                 now=T0 + timedelta(minutes=minute))  # fmt: skip
    session.commit()
    first, total = access_log.access_entries(session, page=1)
    second, _ = access_log.access_entries(session, page=2)
    assert total == access_log.PER_PAGE + 3
    assert len(first) == access_log.PER_PAGE and len(second) == 3
    assert second[-1].at == T0 and first[0].at == T0 + timedelta(minutes=total - 1)


def test_an_export_needs_a_reason_and_only_an_export_keeps_one(session, org):
    ticket = _ticket(session, org, "anna@dijkstede.nl")
    for reason in (None, "", "  \n "):
        with pytest.raises(ReasonRequired):
            access_log.record_access(session, staff="ada", tickets=[ticket],
                                     why=AccessWhy.export, reason=reason)  # fmt: skip
    (viewed,) = access_log.record_access(
        session, staff="ada", tickets=[ticket], why=AccessWhy.queue, reason="nieuwsgierig"
    )
    (exported,) = access_log.record_access(
        session, staff="ada", tickets=[ticket], why=AccessWhy.export, reason=" AVG-verzoek "
    )
    session.commit()
    assert viewed.reason is None and exported.reason == "AVG-verzoek"
    assert access_log.access_entries(session)[1] == 2


def test_the_log_outlives_nothing_of_the_ticket_text(session, org):
    """The entry names the ticket; its title, description and conversation are not in it."""
    ticket = _ticket(session, org, "anna@dijkstede.nl", title="Geheime titel")
    (entry,) = access_log.record_access(session, staff="sanne", tickets=[ticket],
                                        why=AccessWhy.queue)  # fmt: skip
    session.commit()
    stored = " ".join(str(v) for v in entry.model_dump().values())
    assert ticket.reference in stored
    assert "Geheime" not in stored and "scanner" not in stored and "vanochtend" not in stored


def test_one_employee_s_data_is_theirs_only(session, org):
    own = _ticket(session, org, "anna@dijkstede.nl", "Scanner Anna")
    _ticket(session, org, "bert@dijkstede.nl", "Scanner Bert")
    store.add_comment(session, reference=own.reference, author="sanne", text="Wij komen langs",
                      to_reporter=True)  # fmt: skip
    store.add_comment(session, reference=own.reference, author="sanne", text="intern",
                      to_reporter=False)  # fmt: skip
    employee = self_service.find_employee(session, email="anna@dijkstede.nl")
    self_service.withdraw(session, employee=employee, reference=own.reference,
                          reason="al opgelost door een collega")  # fmt: skip
    session.commit()
    data = personal_data.employee_data(session, email=" Anna@Dijkstede.NL ")
    assert data is not None and data.employee.email == "anna@dijkstede.nl"
    assert [i.channel for i in data.identities] == ["rest"]
    (ticket,) = data.tickets
    assert ticket.ticket.reference == own.reference and ticket.ticket.status == Status.withdrawn
    assert [c.text for c in ticket.comments] == ["Wij komen langs"]
    assert [n.note for n in ticket.own_notes] == ["al opgelost door een collega"]
    assert personal_data.employee_data(session, email="niemand@dijkstede.nl") is None
