"""The privacy officer (FG) on a data breach: told at once with the ticket, reminded at 24 and
48 hours, escalated at 60, and no more once the decision is recorded. An injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from router.domain.route import Route
from router.domain.vocabulary import BreachDecision, EventKind, RoutedHow, TicketType
from router.store import breaches
from router.store import tickets as store
from router.store.tables import OutboxMessage, TicketEvent
from router.worker.runner import Worker
from router.worker.sla_job import privacy_reminders_job, remind_privacy_officer

DISCOVERED = datetime(2026, 4, 24, 14, 0, tzinfo=UTC)  # a Friday before Koningsdag: no matter


def _breach(engine, org, *, now: datetime = DISCOVERED) -> str:
    with Session(engine) as session:
        ticket = store.create_ticket(
            session,
            data=store.NewTicket(
                municipality="VHN",
                reporter=store.Reporter("rest", "emp-2", email="emp-2@veenhoven.nl"),
                type=TicketType.data_breach,
                title="Brief naar verkeerd adres",
                description="brief met gegevens naar een verkeerd adres gestuurd",
                impact="medium",
                urgency="high",
                discovered_at=now,
            ),  # fmt: skip
            route=Route("privacy", RoutedHow.rule, 1.0),
            org=org,
            actor="assistant",
            now=now,
        )
        session.commit()
        return ticket.reference


def _mails(engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def test_the_fg_is_told_at_once_in_the_tickets_own_transaction(engine, org):
    ref = _breach(engine, org)
    (mail,) = _mails(engine)
    assert (mail.channel, mail.recipient) == ("email", "fg@de-delta.example")
    assert mail.idempotency_key == f"{ref}/fg/notify"
    assert mail.subject == f"Datalek gemeld: {ref}"
    # 72 hours from discovery, shown in Amsterdam time (summer time: UTC+2).
    assert "Melden bij de AP uiterlijk: 27-04-2026 16:00" in mail.body
    assert f"/staff/meldingen/{ref}" in mail.body and "Brief naar verkeerd adres" in mail.body


def test_reminders_at_24_and_48_hours_and_an_escalation_at_60(engine, org):
    ref = _breach(engine, org)

    class Clock:
        now = DISCOVERED + timedelta(hours=23, minutes=58)

        def __call__(self) -> datetime:
            return self.now

    clock = Clock()
    worker = Worker(engine, [privacy_reminders_job(org)], clock=clock)
    worker.tick()
    assert [m.idempotency_key for m in _mails(engine)] == [f"{ref}/fg/notify"]
    for hours, key in [(24, "24h"), (48, "48h")]:
        clock.now = DISCOVERED + timedelta(hours=hours)
        worker.tick()
        clock.now += timedelta(minutes=5)
        worker.tick()  # not twice
        assert _mails(engine)[-1].idempotency_key == f"{ref}/fg/{key}"
        assert _mails(engine)[-1].subject == (
            f"Herinnering datalek {ref}: nog geen besluit na {hours} uur"
        )
    clock.now = DISCOVERED + timedelta(hours=60)
    worker.tick()
    escalation = _mails(engine)[-2:]
    assert [(m.recipient, m.idempotency_key) for m in escalation] == [
        ("fg@de-delta.example", f"{ref}/fg/60h"),
        ("ciso@de-delta.example", f"{ref}/fg/60h/escalation"),
    ]
    assert "Over 12 uur verloopt de meldtermijn" in escalation[1].body
    assert len(_mails(engine)) == 5
    with Session(engine) as session:
        ticket = store.get_ticket(session, ref)
        events = session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == EventKind.privacy)
            .order_by(col(TicketEvent.id))
        ).all()
    assert [e.new_value for e in events] == ["notify", "24h", "48h", "60h"]
    assert events[-1].note.endswith("gemaild aan fg@de-delta.example, ciso@de-delta.example")


def test_a_decision_stops_the_reminders(engine, org):
    ref = _breach(engine, org)
    with Session(engine) as session:
        breaches.record_decision(
            session, reference=ref, decision=BreachDecision.no_report,
            reason="versleuteld verstuurd, geen risico", actor="fg.els",
            now=DISCOVERED + timedelta(hours=3),
        )  # fmt: skip
        session.commit()
    assert remind_privacy_officer(engine, org, DISCOVERED + timedelta(hours=61)) == {"undecided": 0}
    assert len(_mails(engine)) == 1


def test_a_worker_that_was_down_sends_only_the_latest_reminder(engine, org):
    ref = _breach(engine, org)
    result = remind_privacy_officer(engine, org, DISCOVERED + timedelta(hours=50))
    assert result == {"undecided": 1, "48h": 1}
    assert [m.idempotency_key for m in _mails(engine)] == [f"{ref}/fg/notify", f"{ref}/fg/48h"]
    again = remind_privacy_officer(engine, org, DISCOVERED + timedelta(hours=51))
    assert again == {"undecided": 1}
