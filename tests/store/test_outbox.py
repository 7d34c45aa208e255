"""The outbox: written with its cause, sent at least once, never again once acknowledged,
flagged for staff after the last try (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from router.channels.base import SendFailed
from router.domain.vocabulary import Status
from router.store import outbox
from router.store import tickets as store
from router.store.tables import OutboxMessage
from router.worker.outbox_job import send_due
from tests.store.test_store import _create, _new

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
BACKOFF = outbox.Backoff(first=timedelta(seconds=30), max_attempts=8)


def _telegram_ticket(session, org, chat_id="5001"):
    data = _new(sender=chat_id)
    data = store.NewTicket(
        **{
            **data.__dict__,
            "reporter": store.Reporter(
                channel="telegram", sender_id=chat_id, email="anna@dijkstede.nl"
            ),
        }
    )
    return _create(session, org, data)


class Clock:
    def __init__(self, now=T0):
        self.now = now
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            return self.now

    def advance(self, seconds):
        with self.lock:
            self.now += timedelta(seconds=seconds)


class FlakySender:
    """Down until `up_at` (502), then up; records every delivery."""

    channel = "telegram"

    def __init__(self, clock, up_at):
        self.clock, self.up_at = clock, up_at
        self.delivered: list[str] = []
        self.lock = threading.Lock()

    def send(self, *, recipient, body, idempotency_key, subject=None):
        if self.clock() < self.up_at:
            raise SendFailed("telegram sendMessage 502")
        with self.lock:
            self.delivered.append(idempotency_key)
            return str(len(self.delivered))


def test_news_for_the_reporter_is_written_with_the_status_change(session, org):
    ticket = _telegram_ticket(session, org)
    store.change_status(
        session, reference=ticket.reference, status=Status.forwarded, actor="sd", org=org
    )
    session.commit()
    [message] = session.exec(select(OutboxMessage)).all()
    assert (message.channel, message.recipient, message.status) == ("telegram", "5001", "pending")
    assert ticket.reference in message.body and "doorgezet naar Centric" in message.body
    for status in (Status.in_progress, Status.waiting, Status.resolved):
        store.change_status(session, reference=ticket.reference, status=status, actor="sd")
        session.commit()
    bodies = [m.body for m in session.exec(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert len(bodies) == 3  # in_progress is no news
    assert "meer informatie" in bodies[1] and "is opgelost" in bodies[2]


def test_a_rolled_back_change_leaves_no_message(session, org):
    ticket = _telegram_ticket(session, org)
    store.change_status(session, reference=ticket.reference, status=Status.resolved, actor="sd")
    session.rollback()
    assert session.exec(select(OutboxMessage)).all() == []


def test_a_reporter_on_a_channel_without_push_gets_nothing(session, org):
    ticket = _create(session, org)  # the REST channel
    store.change_status(session, reference=ticket.reference, status=Status.resolved, actor="sd")
    session.commit()
    assert session.exec(select(OutboxMessage)).all() == []


def test_one_key_is_one_message(session):
    outbox.enqueue(session, channel="telegram", recipient="1", body="a", idempotency_key="k")
    session.commit()
    outbox.enqueue(session, channel="telegram", recipient="1", body="a", idempotency_key="k")
    with pytest.raises(IntegrityError):
        session.commit()


def _queue(session, count):
    for i in range(count):
        outbox.enqueue(
            session,
            channel="telegram",
            recipient=str(1000 + i),
            body=f"bericht {i}",
            idempotency_key=f"key-{i}",
            now=T0,
        )
    session.commit()


def test_channel_down_for_a_while_then_up_every_message_arrives_once(engine, session):
    _queue(session, 12)
    clock = Clock()
    sender = FlakySender(clock, up_at=T0 + timedelta(minutes=6))
    for _ in range(60):  # ten seconds a tick, ten minutes of worker
        send_due(engine, {"telegram": sender}, backoff=BACKOFF, clock=clock)
        clock.advance(10)
    assert sorted(sender.delivered) == sorted(f"key-{i}" for i in range(12))
    assert outbox.outbox_counts(session) == {"sent": 12}
    attempts = {m.attempts for m in session.exec(select(OutboxMessage))}
    assert max(attempts) > 1  # they did wait for the channel


# SQLite allows one worker per database (store/jobs.py worker_guard): PostgreSQL only.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_competing_deliver_every_message_once(engine, session, database_url):
    _queue(session, 40)
    clock = Clock()
    sender = FlakySender(clock, up_at=T0 + timedelta(minutes=2))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker():
        try:
            for _ in range(30):
                barrier.wait()
                send_due(engine, {"telegram": sender}, backoff=BACKOFF, clock=clock)
                if barrier.wait() == 0:
                    clock.advance(10)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(sender.delivered) == sorted(f"key-{i}" for i in range(40))  # each exactly once
    assert outbox.outbox_counts(session) == {"sent": 40}


def test_after_the_last_try_a_message_is_flagged_not_dropped(engine, session):
    _queue(session, 1)
    clock = Clock()
    never = FlakySender(clock, up_at=T0 + timedelta(days=365))
    short = outbox.Backoff(first=timedelta(seconds=30), max_attempts=3)
    for _ in range(30):
        send_due(engine, {"telegram": never}, backoff=short, clock=clock)
        clock.advance(60)
    [message] = outbox.flagged(session)
    assert (message.attempts, message.last_error) == (3, "telegram sendMessage 502")
    assert message.flagged_at is not None and never.delivered == []


def test_a_refusal_for_good_is_flagged_at_once(engine, session):
    _queue(session, 1)

    class Blocked:
        channel = "telegram"

        def send(self, **_):
            raise SendFailed("telegram sendMessage 403", permanent=True)

    send_due(engine, {"telegram": Blocked()}, backoff=BACKOFF, clock=Clock())
    [message] = outbox.flagged(session)
    assert message.attempts == 1


def test_a_sender_failing_unforeseen_is_tried_again_then_flagged(engine, session):
    """An error no sender foresaw does not stop the run with the message claimed forever."""
    _queue(session, 2)

    class Broken:
        channel = "telegram"

        def send(self, **_):
            raise KeyError("result")

    clock = Clock()
    short = outbox.Backoff(first=timedelta(seconds=30), max_attempts=3)
    for _ in range(30):
        send_due(engine, {"telegram": Broken()}, backoff=short, clock=clock)
        clock.advance(60)
    flagged = outbox.flagged(session)
    assert [(m.attempts, m.last_error) for m in flagged] == [(3, "telegram KeyError")] * 2


def test_an_acknowledged_message_is_never_sent_again(engine, session):
    _queue(session, 1)
    clock = Clock(T0 + timedelta(hours=1))
    sender = FlakySender(clock, up_at=T0)
    send_due(engine, {"telegram": sender}, backoff=BACKOFF, clock=clock)
    clock.advance(86400)
    send_due(engine, {"telegram": sender}, backoff=BACKOFF, clock=clock)
    assert sender.delivered == ["key-0"]
    [message] = session.exec(select(OutboxMessage)).all()
    session.refresh(message)
    assert (message.status, message.acknowledgement) == ("sent", "1")


def test_a_claim_of_a_worker_that_died_lapses_and_the_message_goes_out(engine, session):
    _queue(session, 1)
    with Session(engine) as other:
        claimed = outbox.claim_due(
            other, channels=frozenset({"telegram"}), now=T0, lease=timedelta(minutes=5)
        )
        other.commit()  # ...and the worker dies before sending
    assert len(claimed) == 1
    clock = Clock(T0 + timedelta(minutes=1))
    sender = FlakySender(clock, up_at=T0)
    send_due(engine, {"telegram": sender}, backoff=BACKOFF, clock=clock)
    assert sender.delivered == []  # the claim still holds
    clock.advance(300)
    send_due(engine, {"telegram": sender}, backoff=BACKOFF, clock=clock)
    assert sender.delivered == ["key-0"]


def test_backoff_doubles_up_to_an_hour():
    assert [BACKOFF.delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert BACKOFF.delay(20) == timedelta(hours=1)
