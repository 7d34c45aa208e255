"""The worker's SLA check: at risk at 75 %, breached at the due time, once per state, with an
audit event and an e-mail to the destination's contact. Time travel by an injected clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from router.domain.route import Route
from router.domain.vocabulary import EventKind, RoutedHow, Status, TicketType
from router.store import tickets as store
from router.store.tables import OutboxMessage, TicketEvent
from router.worker.runner import Worker
from router.worker.sla_job import check_sla, sla_check_job

AMS = ZoneInfo("Europe/Amsterdam")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _create(engine, org, destination: str, at: datetime, title="Printer doet niets") -> str:
    with Session(engine) as session:
        ticket = store.create_ticket(
            session,
            data=store.NewTicket(
                municipality="DYK",
                reporter=store.Reporter("rest", "emp-1", email="emp-1@dijkstede.nl"),
                type=TicketType.incident,
                title=title,
                description=f"{title}, al de hele dag",
                impact="low",
                urgency="medium",
            ),  # fmt: skip
            route=Route(destination, RoutedHow.rule, 1.0),
            org=org,
            actor="assistant",
            now=at,
        )
        session.commit()
        return ticket.reference


def _status(engine, org, reference: str, status: Status, at: datetime) -> None:
    with Session(engine) as session:
        store.change_status(
            session, reference=reference, status=status, actor="sanne", org=org, now=at
        )
        session.commit()


def _mails(engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def _sla_events(engine, reference: str) -> list[TicketEvent]:
    with Session(engine) as session:
        ticket = store.get_ticket(session, reference)
        return list(
            session.exec(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == EventKind.sla)
                .order_by(col(TicketEvent.id))
            ).all()
        )


def test_an_unanswered_ticket_is_at_risk_then_breached_once_each(engine, org):
    ref = _create(engine, org, "werkplek", local(2026, 4, 23, 10, 0))  # P3: response in 4 h
    clock = Clock(local(2026, 4, 23, 12, 58))
    worker = Worker(engine, [sla_check_job(org)], clock=clock)
    worker.tick()
    assert _mails(engine) == []
    clock.now = local(2026, 4, 23, 13, 0)  # 3 of 4 h used
    worker.tick()
    (mail,) = _mails(engine)
    assert (mail.channel, mail.recipient) == ("email", "werkplekbeheer@de-delta.example")
    assert mail.idempotency_key == f"{ref}/sla/at_risk"
    assert mail.subject == f"SLA dreigt te verlopen: {ref} (P3)"
    assert "Reactietermijn dreigt te verlopen" in mail.body and "23-04-2026 14:00" in mail.body
    assert "Printer doet niets" in mail.body and "Werkplekbeheer" in mail.body
    clock.now += timedelta(minutes=10)
    worker.tick()
    assert len(_mails(engine)) == 1  # marked once per state
    clock.now = local(2026, 4, 23, 14, 0)
    worker.tick()
    assert [m.idempotency_key for m in _mails(engine)] == [
        f"{ref}/sla/at_risk",
        f"{ref}/sla/breached",
    ]
    assert _mails(engine)[1].subject == f"SLA overschreden: {ref} (P3)"
    events = _sla_events(engine, ref)
    assert [(e.old_value, e.new_value) for e in events] == [
        ("none", "at_risk"),
        ("at_risk", "breached"),
    ]
    assert events[0].note.startswith("Reactietermijn dreigt te verlopen")
    assert events[1].note.endswith("gemaild aan werkplekbeheer@de-delta.example")
    with Session(engine) as session:
        ticket = store.get_ticket(session, ref)
    assert ticket.sla_state == "breached"
    assert ticket.sla_at_risk_at == local(2026, 4, 23, 13, 0)
    assert ticket.sla_breached_at == local(2026, 4, 23, 14, 0)
    clock.now += timedelta(days=3)
    worker.tick()
    assert len(_mails(engine)) == 2


def test_resolution_clock_paused_over_koningsdag_and_the_weekend(engine, org):
    ref = _create(engine, org, "werkplek", local(2026, 4, 23, 10, 0))  # P3: 27 h
    _status(engine, org, ref, Status.in_progress, local(2026, 4, 23, 10, 30))  # responded
    _status(engine, org, ref, Status.waiting, local(2026, 4, 24, 16, 0))
    # Waiting: the clock stands still, even past the due time it had before the pause.
    assert check_sla(engine, org, local(2026, 4, 29, 11, 0)) == {"checked": 0}
    _status(engine, org, ref, Status.in_progress, local(2026, 4, 28, 9, 0))  # 2 h waited
    # Due Wednesday 29 April 12:00; at risk once 6.75 business hours are left: Tue 14:15.
    assert check_sla(engine, org, local(2026, 4, 28, 14, 14)) == {"checked": 1}
    assert check_sla(engine, org, local(2026, 4, 28, 14, 15)) == {"checked": 1, "at_risk": 1}
    assert check_sla(engine, org, local(2026, 4, 29, 11, 59)) == {"checked": 1}
    assert check_sla(engine, org, local(2026, 4, 29, 12, 0)) == {"checked": 1, "breached": 1}
    assert check_sla(engine, org, local(2026, 4, 29, 12, 5)) == {"checked": 0}
    notes = [e.note for e in _sla_events(engine, ref) if e.field == "sla_state"]
    assert notes == [
        "Oplostermijn dreigt te verlopen: 75 % van de tijd is om (verloopt 29-04-2026 12:00); "
        "gemaild aan werkplekbeheer@de-delta.example",
        "Oplostermijn overschreden (verliep 29-04-2026 12:00); "
        "gemaild aan werkplekbeheer@de-delta.example",
    ]


def test_a_supplier_is_alerted_on_its_own_contract(engine, org):
    # KPN P3: response within 8 business hours; created Friday 24 April 15:00.
    ref = _create(engine, org, "kpn", local(2026, 4, 24, 15, 0), title="Telefooncentrale stuk")
    # 6 of 8 h: Friday 2 h, Koningsdag none, Tuesday 08:00-12:00.
    assert check_sla(engine, org, local(2026, 4, 27, 16, 0)) == {"checked": 1}
    assert check_sla(engine, org, local(2026, 4, 28, 12, 0)) == {"checked": 1, "at_risk": 1}
    (mail,) = _mails(engine)
    assert mail.recipient == "zakelijk@kpn.example" and ref in mail.subject


def test_a_worker_that_was_down_marks_breached_only(engine, org):
    ref = _create(engine, org, "werkplek", local(2026, 4, 23, 10, 0))
    assert check_sla(engine, org, local(2026, 5, 4, 9, 0)) == {"checked": 1, "breached": 1}
    assert [m.idempotency_key for m in _mails(engine)] == [f"{ref}/sla/breached"]


def test_resolved_tickets_are_not_checked(engine, org):
    ref = _create(engine, org, "werkplek", local(2026, 4, 23, 10, 0))
    _status(engine, org, ref, Status.resolved, local(2026, 4, 23, 11, 0))
    assert check_sla(engine, org, local(2026, 5, 4, 9, 0)) == {"checked": 0}
    assert _mails(engine) == []


def test_without_a_contact_the_mark_is_recorded_but_nobody_is_mailed(engine, org):
    teams = [t.model_copy(update={"contact": None}) for t in org.teams]
    quiet = org.model_copy(update={"teams": teams})
    ref = _create(engine, quiet, "werkplek", local(2026, 4, 23, 10, 0))
    assert check_sla(engine, quiet, local(2026, 4, 23, 13, 0)) == {"checked": 1, "at_risk": 1}
    assert _mails(engine) == []
    (event,) = _sla_events(engine, ref)
    assert event.note == (
        "Reactietermijn dreigt te verlopen: 75 % van de tijd is om (verloopt 23-04-2026 14:00)"
    )
