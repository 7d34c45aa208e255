"""The senders that forward to suppliers, against real local servers: e-mail through aiosmtpd,
a supplier's webhook that checks the signature, and a fake of TOPdesk's incident API."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from aiohttp import web

from router.channels.base import SendFailed
from router.channels.mail import EmailSender, Mailer
from router.channels.topdesk import TopdeskSender
from router.channels.webhook import WebhookSender
from router.domain import forwarding as rules
from router.domain.org import Organisation, TopdeskForwarding, WebhookForwarding
from tests.fakes.smtp import SmtpServer
from tests.fakes.suppliers import FakeSupplierWebhook, FakeTopdesk

KEY = "M-2026-000042/forward/7"
SUBJECT = "[M-2026-000042] Melding van Gemeente Dijkstede: Youforce geeft een fout"


def _with_supplier(org: Organisation, key: str, forwarding) -> Organisation:
    suppliers = [
        s.model_copy(update={"forwarding": forwarding}) if s.key == key else s
        for s in org.suppliers
    ]
    return org.model_copy(update={"suppliers": suppliers})


@pytest.fixture
def webhook():
    running = FakeSupplierWebhook().start()
    yield running
    running.stop()


@pytest.fixture
def topdesk():
    running = FakeTopdesk().start()
    yield running
    running.stop()


def _webhook_sender(org, webhook, secret=None):
    forwarding = WebhookForwarding(
        method="webhook", url=webhook.url, secret_env="LOKET_SUPPLIER_PINKROCCADE_SECRET"
    )
    env = {"LOKET_SUPPLIER_PINKROCCADE_SECRET": secret or webhook.secret}
    return WebhookSender(org=_with_supplier(org, "pinkroccade", forwarding), environ=env)


def _topdesk_sender(org, topdesk, password=None, caller_email=None):
    forwarding = TopdeskForwarding(
        method="topdesk", url=topdesk.base_url, username=topdesk.username,
        password_env="LOKET_SUPPLIER_CENTRIC_PASSWORD", caller_email=caller_email,
    )  # fmt: skip
    env = {"LOKET_SUPPLIER_CENTRIC_PASSWORD": password or topdesk.password}
    return TopdeskSender(org=_with_supplier(org, "centric", forwarding), environ=env)


def test_mail_carries_key_reference_and_reply_address():
    with SmtpServer() as smtp:
        mailer = Mailer(host="127.0.0.1", port=smtp.port, sender="loket@de-delta.example.org")
        sender = EmailSender(mailer, reply_to="regie@de-delta.example.org")
        ack = sender.send(
            recipient="servicedesk@visma-raet.example.org", body="Beste Visma Raet,\n\nTekst.",
            idempotency_key=KEY, subject=SUBJECT,
        )  # fmt: skip
        [mail] = smtp.inbox.to("servicedesk@visma-raet.example.org")
    assert mail["Message-ID"] == ack == rules.message_id(KEY, "de-delta.example.org")
    assert mail["Reply-To"] == "regie+M-2026-000042@de-delta.example.org"
    assert mail["X-Loket-Reference"] == "M-2026-000042"
    assert " ".join(mail["Subject"].split()) == SUBJECT  # folded by the parser
    assert "Beste Visma Raet" in mail.get_payload(decode=True).decode()
    # The same key gives the same Message-ID: a receiver can drop a repeat.
    assert rules.message_id(KEY, "x.org") == rules.message_id(KEY, "x.org")
    assert rules.message_id(KEY, "x.org") != rules.message_id(KEY + "1", "x.org")


def test_mail_server_away_is_a_failure_to_retry():
    mailer = Mailer(host="127.0.0.1", port=9, timeout_seconds=2)
    with pytest.raises(SendFailed) as failed:
        EmailSender(mailer).send(recipient="a@b.example.org", body="x", idempotency_key=KEY)
    assert not failed.value.permanent and failed.value.reason.startswith("smtp ")


def test_webhook_is_signed_keyed_and_answers_the_suppliers_reference(org, webhook):
    body = json.dumps({"reference": "M-2026-000042", "title": "Youforce"})
    delivered = _webhook_sender(org, webhook).send(
        recipient="pinkroccade", body=body, idempotency_key=KEY
    )
    assert delivered.supplier_reference == "PR-00001" and delivered.acknowledgement == "webhook 200"
    headers, sent = webhook.requests[0]
    assert headers["Idempotency-Key"] == KEY and sent == body.encode()
    # A second try with the same key is dropped by the receiver: one ticket, same reference.
    again = _webhook_sender(org, webhook).send(
        recipient="pinkroccade", body=body, idempotency_key=KEY
    )
    assert again.supplier_reference == "PR-00001" and len(webhook.tickets) == 1


def test_webhook_down_is_retried_and_a_refusal_is_for_good(org, webhook):
    webhook.down = True
    with pytest.raises(SendFailed) as down:
        _webhook_sender(org, webhook).send(recipient="pinkroccade", body="{}", idempotency_key=KEY)
    assert (down.value.reason, down.value.permanent) == ("webhook 503", False)
    webhook.down = False
    with pytest.raises(SendFailed) as wrong:
        _webhook_sender(org, webhook, secret="another-secret-entirely-000").send(
            recipient="pinkroccade", body="{}", idempotency_key=KEY
        )
    assert (wrong.value.reason, wrong.value.permanent) == ("webhook 401", True)


def test_webhook_without_its_secret_in_the_environment_waits(org, webhook):
    sender = _webhook_sender(org, webhook)
    sender = WebhookSender(org=sender.org, environ={})
    with pytest.raises(SendFailed) as failed:
        sender.send(recipient="pinkroccade", body="{}", idempotency_key=KEY)
    assert "LOKET_SUPPLIER_PINKROCCADE_SECRET not set" in failed.value.reason
    assert not failed.value.permanent
    assert webhook.requests == []


def _incident(org, caller_email=None) -> str:
    facts = rules.TicketFacts(
        reference="M-2026-000042", title="Key2Burgerzaken loopt vast bij het opslaan van een "
        "verhuizing, elke keer opnieuw, sinds vanochtend", description="Foutmelding 500.",
        municipality="Gemeente Dijkstede", application="Key2Burgerzaken", priority="P2",
        type="incident", created_at=datetime(2026, 11, 30, tzinfo=UTC),
        sla_due_at=None,
    )  # fmt: skip
    forwarding = TopdeskForwarding(
        method="topdesk", url="https://x.example.org", username="u",
        password_env="LOKET_X", caller_email=caller_email,
    )  # fmt: skip
    return json.dumps(rules.topdesk_incident(facts, forwarding, org, KEY))


def test_topdesk_incident_is_made_with_basic_auth_and_its_number_returned(org, topdesk):
    delivered = _topdesk_sender(org, topdesk).send(
        recipient="centric", body=_incident(org), idempotency_key=KEY
    )
    [incident] = topdesk.incidents
    assert delivered.acknowledgement == delivered.supplier_reference == incident["number"]
    assert incident["externalNumber"] == KEY
    assert incident["caller"] == {"dynamicName": "ICT-samenwerking De Delta"}
    assert len(incident["briefDescription"]) <= 80
    assert incident["briefDescription"].startswith("M-2026-000042 Key2Burgerzaken")
    assert "Gemeente Dijkstede" in incident["request"] and "Foutmelding 500." in incident["request"]


def test_topdesk_caller_lookup_by_email_when_configured(org, topdesk):
    body = _incident(org, caller_email="regie@de-delta.example.org")
    _topdesk_sender(org, topdesk).send(recipient="centric", body=body, idempotency_key=KEY)
    assert topdesk.incidents[0]["callerLookup"] == {"email": "regie@de-delta.example.org"}


def test_a_lost_topdesk_answer_does_not_make_a_second_incident(org, topdesk):
    sender = _topdesk_sender(org, topdesk)
    topdesk.lose_answers = True
    with pytest.raises(SendFailed):
        sender.send(recipient="centric", body=_incident(org), idempotency_key=KEY)
    topdesk.lose_answers = False
    delivered = sender.send(recipient="centric", body=_incident(org), idempotency_key=KEY)
    [incident] = topdesk.incidents  # found by its external number, not made again
    assert delivered.supplier_reference == incident["number"]


def test_topdesk_wrong_password_is_for_staff_at_once_and_down_is_retried(org, topdesk):
    with pytest.raises(SendFailed) as wrong:
        _topdesk_sender(org, topdesk, password="wrong-password-000000").send(
            recipient="centric", body=_incident(org), idempotency_key=KEY
        )
    assert wrong.value.permanent and wrong.value.reason == "topdesk lookup 401"
    topdesk.down = True
    with pytest.raises(SendFailed) as down:
        _topdesk_sender(org, topdesk).send(
            recipient="centric", body=_incident(org), idempotency_key=KEY
        )
    assert not down.value.permanent and topdesk.incidents == []


def test_a_topdesk_that_cannot_search_still_gets_the_incident(org, topdesk):
    original = topdesk._query
    topdesk._query = lambda request: web.json_response(
        [{"message": "query not supported"}], status=400
    )
    try:
        delivered = _topdesk_sender(org, topdesk).send(
            recipient="centric", body=_incident(org), idempotency_key=KEY
        )
    finally:
        topdesk._query = original
    assert delivered.supplier_reference == topdesk.incidents[0]["number"]


def test_the_worker_sends_on_every_forwarding_channel(org):
    from router.settings import WorkerSettings
    from router.worker.outbox_job import senders_from

    without_mail = senders_from(WorkerSettings(smtp_host=None), org)
    assert set(without_mail) == {"webhook", "topdesk"}  # e-mail waits until a host is set
    senders = senders_from(WorkerSettings(smtp_host="127.0.0.1", smtp_from="loket@x.org"), org)
    assert set(senders) == {"webhook", "topdesk", "email"}
    assert senders["email"].reply_to == "regie@de-delta.example.org"
