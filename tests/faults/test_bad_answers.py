"""A supplier's or chat platform's endpoint that times out, answers 500, or answers garbage
(a web page where JSON was expected, JSON cut off, no HTTP at all): the outbox tries again
with backoff, flags the message for staff after the last try, and sends nothing twice.

The real senders and the worker's send loop against a misbehaving server on loopback
(tests/fakes/bad_endpoint.py); the worker's clock is simulated, the network's time is not.
"""

from __future__ import annotations

import urllib.parse
from datetime import timedelta

import pytest
from sqlmodel import select

from router.channels.telegram import TelegramSender
from router.channels.topdesk import TopdeskSender
from router.channels.webhook import WebhookSender
from router.domain.vocabulary import Status
from router.store import forwarding, outbox
from router.store import tickets as store
from router.store.tables import OutboxMessage
from router.worker.outbox_job import send_due
from tests.fakes.bad_endpoint import FAULTS, BadEndpoint
from tests.store.test_forwarding import T0, _ticket, with_forwarding
from tests.store.test_outbox import Clock, _telegram_ticket

BACKOFF = outbox.Backoff(first=timedelta(seconds=30), max_attempts=3)
TIMEOUT = 0.5  # the senders' network timeout here (10-15 s in production)
TICK = 10  # seconds of the worker's clock between two runs of the send loop
# What the flagged message's last error says, per fault: the kind, never a body.
REASONS = {
    "timeout": ("TimeoutError",),
    "500": (" 500",),
    "html": ("web page", "JSONDecodeError"),
    "truncated": ("IncompleteRead",),
    "not-http": ("BadStatusLine",),
}
TOKEN = "123456:TEST-token-for-the-fake-bot-api"
WEBHOOK_SECRET = "webhook-secret-of-pinkroccade-0123"


@pytest.fixture(params=FAULTS)
def endpoint(request):
    running = BadEndpoint(request.param, hold_seconds=TIMEOUT * 4).start()
    yield running
    running.stop()


def _webhook(session, org, endpoint):
    org = with_forwarding(org, "pinkroccade", url=endpoint.base_url + "/loket/meldingen")
    env = {"LOKET_SUPPLIER_PINKROCCADE_SECRET": WEBHOOK_SECRET}
    ticket = _ticket(session, org, application="iBurgerzaken", municipality="PLW")
    forwarding.forward(session, reference=ticket.reference, actor="sd", org=org)
    return WebhookSender(org=org, environ=env, timeout_seconds=TIMEOUT)


def _topdesk(session, org, endpoint):
    org = with_forwarding(org, "centric", url=endpoint.base_url)
    env = {"LOKET_SUPPLIER_CENTRIC_PASSWORD": "topdesk-app-password-0123456789"}
    ticket = _ticket(session, org)  # Dijkstede, Key2Burgerzaken: Centric's TOPdesk
    forwarding.forward(session, reference=ticket.reference, actor="sd", org=org)
    return TopdeskSender(org=org, environ=env, timeout_seconds=TIMEOUT)


def _telegram(session, org, endpoint):
    ticket = _telegram_ticket(session, org)
    store.change_status(session, reference=ticket.reference, status=Status.resolved, actor="sd")
    return TelegramSender(token=TOKEN, api_url=endpoint.base_url, timeout_seconds=TIMEOUT)


SETUPS = {"webhook": _webhook, "topdesk": _topdesk, "telegram": _telegram}


def _run_until_flagged(engine, sender, endpoint, clock) -> list:
    """Tick the send loop until the message is flagged; the worker's times of the tries."""
    tries = []
    for _ in range(60):
        before = endpoint.count()
        counts = send_due(engine, {sender.channel: sender}, backoff=BACKOFF, clock=clock)
        if endpoint.count() > before:
            tries.append(clock())
        if counts["flagged"]:
            return tries
        clock.advance(TICK)
    raise AssertionError(f"not flagged after 10 minutes; tries at {tries}")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("channel", sorted(SETUPS))
def test_a_bad_answer_is_tried_again_with_backoff_then_flagged_once(
    channel, endpoint, engine, session, org
):
    sender = SETUPS[channel](session, org, endpoint)
    session.commit()
    clock = Clock(T0)
    tries = _run_until_flagged(engine, sender, endpoint, clock)

    gaps = [(b - a).total_seconds() for a, b in zip(tries, tries[1:], strict=False)]
    assert len(tries) == BACKOFF.max_attempts, tries
    # Each retry waits its backoff (30 s, then 60 s), and not much longer than a tick more.
    for attempt, gap in enumerate(gaps, start=1):
        delay = BACKOFF.delay(attempt).total_seconds()
        assert delay <= gap <= delay + TICK, gaps
    [message] = session.exec(select(OutboxMessage)).all()
    session.refresh(message)
    assert (message.status, message.attempts) == (outbox.FLAGGED, BACKOFF.max_attempts)
    assert any(reason in message.last_error for reason in REASONS[endpoint.fault]), (
        message.last_error
    )
    assert [m.id for m in outbox.flagged(session)] == [message.id]  # on the staff's list
    if message.ticket_id is not None and channel != "telegram":  # a forward: on its ticket too
        assert forwarding.undelivered_forward(session, ticket_id=message.ticket_id) is not None

    # Flagged is the end: however long the worker goes on, nothing more is sent.
    seen = endpoint.count()
    clock.advance(86400)
    send_due(engine, {sender.channel: sender}, backoff=BACKOFF, clock=clock)
    assert endpoint.count() == seen
    # Every try of one message was the same message: the receiver's key never changed.
    if channel == "webhook":
        keys = {r.headers.get("idempotency-key") for r in endpoint.requests}
        assert keys == {message.idempotency_key}
    if channel == "topdesk":  # and no incident is made while the look-up for it fails
        asked = {_lookup(r.line) for r in endpoint.requests}
        assert asked == {f'externalNumber=="{message.idempotency_key}"'}


def _lookup(request_line: str) -> str | None:
    method, target, _ = request_line.split(" ")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query)
    return query["query"][0] if method == "GET" else None
