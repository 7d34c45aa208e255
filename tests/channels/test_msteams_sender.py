"""The worker's Teams sender against a local fake of the Bot Framework (token endpoint and
connector), and a Teams reporter in the store: one employee whatever the channel, and the
ticket's news goes to the conversation's service URL."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from router.channels.base import SendFailed
from router.channels.msteams import TeamsSender, parse_address, teams_address
from router.domain.vocabulary import Status
from router.settings import WorkerSettings
from router.store import linking, outbox
from router.store import tickets as store
from router.store.tables import ChannelIdentity, OutboxMessage
from router.worker.outbox_job import send_due, senders_from
from tests.fakes.botframework import FakeBotFramework
from tests.store.test_identity import _file


@pytest.fixture(scope="module")
def fake():
    running = FakeBotFramework().start()
    yield running
    running.stop()


def _sender(fake, password=None):
    return TeamsSender(app_id=fake.app_id, app_password=password or fake.app_password,
                       token_url=fake.token_url)  # fmt: skip


def test_a_message_goes_to_the_conversation_with_a_token_kept_for_later(fake):
    sender = _sender(fake)
    before = fake.token_requests
    address = teams_address(fake.service_url, "a:conv-1")
    for text in ("Je melding M-2026-000001 is opgelost.", "nog een"):
        assert sender.send(recipient=address, body=text, idempotency_key="k").startswith(
            "activity-"
        )
    assert fake.token_requests == before + 1
    conversation, activity = fake.activities[-2]
    assert conversation == "a:conv-1"
    assert activity == {"type": "message", "text": "Je melding M-2026-000001 is opgelost.",
                        "textFormat": "plain"}  # fmt: skip


def test_failures_are_retried_and_unusable_addresses_refused_for_good(fake):
    address = teams_address(fake.service_url, "a:conv-2")
    fake.down = True
    try:
        with pytest.raises(SendFailed) as down:
            _sender(fake).send(recipient=address, body="x", idempotency_key="k")
    finally:
        fake.down = False
    assert not down.value.permanent and down.value.reason == "msteams activities 502"
    with pytest.raises(SendFailed) as wrong:
        _sender(fake, password="wrong-password").send(recipient=address, body="x",
                                                      idempotency_key="k")  # fmt: skip
    assert wrong.value.reason == "msteams token 401" and not wrong.value.permanent
    for recipient in ("29:anna", teams_address("http://evil.example/", "a:1")):
        with pytest.raises(SendFailed) as refused:
            _sender(fake).send(recipient=recipient, body="x", idempotency_key="k")
        assert refused.value.permanent
    assert parse_address(teams_address("https://smba.example/emea/", "a:1")) == (
        "https://smba.example/emea/", "a:1")  # fmt: skip


def test_the_worker_has_a_teams_sender_when_the_app_is_configured(org, fake):
    settings = WorkerSettings(smtp_host=None, teams_app_id=fake.app_id,
                              teams_app_password=fake.app_password,
                              teams_token_url=fake.token_url)  # fmt: skip
    assert isinstance(senders_from(settings, org)["msteams"], TeamsSender)
    assert "msteams" not in senders_from(WorkerSettings(smtp_host=None, teams_app_id=""), org)


def test_a_teams_reporter_with_a_linked_telegram_address_is_one_employee(session, org, fake):
    now = outbox.utcnow()
    asked = linking.request_code(session, channel="telegram", sender_id="7001",
                                 email="anna@dijkstede.nl", now=now)  # fmt: skip
    linked = linking.confirm_code(session, channel="telegram", sender_id="7001",
                                  code=asked.code, municipality="DYK", now=now)  # fmt: skip
    session.commit()
    assert linked.result == "linked"
    by_telegram = _file(session, org, channel="telegram", sender="7001", email="anna@dijkstede.nl")
    address = teams_address(fake.service_url, "a:conv-anna")
    data = store.NewTicket(
        **{**_new_teams(by_telegram).__dict__,
           "reporter": store.Reporter(channel="msteams", sender_id="aad-anna",
                                      email="Anna@Dijkstede.nl", address=address)},
    )  # fmt: skip
    by_teams = _create_like(session, org, data)
    assert by_teams.reporter_id == by_telegram.reporter_id == linked.employee.id  # one record
    assert (by_teams.reporter_channel, by_teams.reporter_address) == ("msteams", address)
    bindings = session.exec(
        select(ChannelIdentity).where(ChannelIdentity.employee_id == by_teams.reporter_id)
    ).all()
    assert {(b.channel, b.sender_id) for b in bindings} == {("telegram", "7001"),
                                                           ("msteams", "aad-anna")}  # fmt: skip

    store.change_status(session, reference=by_teams.reference, status=Status.resolved,
                        actor="sd", org=org)  # fmt: skip
    session.commit()
    [queued] = session.exec(
        select(OutboxMessage).where(OutboxMessage.ticket_id == by_teams.id)
    ).all()
    assert (queued.channel, json.loads(queued.recipient)["conversation"]) == (
        "msteams", "a:conv-anna")  # fmt: skip
    before = len(fake.texts_to("a:conv-anna"))  # the fake serves SQLite's run and PostgreSQL's
    counts = send_due(session.get_bind(), {"msteams": _sender(fake)}, backoff=outbox.Backoff())
    assert counts["sent"] == 1
    news = fake.texts_to("a:conv-anna")[before:]
    assert len(news) == 1 and by_teams.reference in news[0] and "opgelost" in news[0]


def _new_teams(ticket):
    return store.NewTicket(
        municipality="DYK", type=ticket.type, application="Key2Burgerzaken",
        title="Key2Burgerzaken loopt weer vast", description="loopt vast bij opslaan",
        impact="low", urgency="medium",
        reporter=store.Reporter(channel="msteams", sender_id="aad-anna"),
    )  # fmt: skip


def _create_like(session, org, data):
    from router.routing.decision import CatalogueRouter, RouteRequest

    route = CatalogueRouter(org).route(
        RouteRequest(text=data.description, municipality="DYK", application=data.application)
    )
    ticket = store.create_ticket(session, data=data, route=route, org=org, actor="test")
    session.commit()
    return ticket
