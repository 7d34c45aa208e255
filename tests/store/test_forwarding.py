"""Forwarding to suppliers through the outbox (SQLite and PostgreSQL): written with the status
change, delivered once by each method while the supplier comes and goes, the supplier's number
kept, given-up forwards flagged on the ticket for staff; and the suppliers' updates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from router.channels.mail import EmailSender, Mailer
from router.channels.topdesk import TopdeskSender
from router.channels.webhook import WebhookSender
from router.domain.forwarding import forward_key
from router.domain.org import Organisation
from router.domain.vocabulary import EventKind, Status
from router.store import forwarding, outbox, supplier_updates
from router.store import tickets as store
from router.store.tables import OutboxMessage, TicketEvent
from router.worker.outbox_job import send_due
from tests.fakes.smtp import SmtpServer
from tests.fakes.suppliers import FakeSupplierWebhook, FakeTopdesk
from tests.store.test_outbox import Clock
from tests.store.test_store import _create, _new

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
BACKOFF = outbox.Backoff(first=timedelta(seconds=30), max_attempts=8)


def with_forwarding(org: Organisation, key: str, **changes) -> Organisation:
    """The sample organisation with one supplier's forwarding changed."""
    suppliers = [
        s.model_copy(update={"forwarding": s.forwarding.model_copy(update=changes)})
        if s.key == key
        else s
        for s in org.suppliers
    ]
    return org.model_copy(update={"suppliers": suppliers})


def _ticket(session, org, application="Key2Burgerzaken", municipality="DYK"):
    return _create(session, org, _new(application=application, municipality=municipality))


def _events(session, ticket):
    return [(e.kind, e.field, e.new_value) for e in store.ticket_events(session, ticket)]


def test_a_forward_is_written_with_its_status_change(session, org):
    ticket = _ticket(session, org)  # Dijkstede, Key2Burgerzaken: Centric's TOPdesk
    message = forwarding.forward(session, reference=ticket.reference, actor="sd.anna", org=org)
    session.commit()
    assert ticket.status == Status.forwarded
    events = store.ticket_events(session, ticket)
    assert (events[-2].kind, events[-2].new_value) == (EventKind.status, Status.forwarded)
    assert (events[-1].kind, events[-1].field) == (EventKind.forwarded, "doorzetten")
    assert events[-1].new_value == "Centric via TOPdesk"
    assert message.idempotency_key == forward_key(ticket.reference, events[-1].id)
    assert (message.channel, message.recipient, message.status) == ("topdesk", "centric", "pending")
    incident = json.loads(message.body)
    assert incident["externalNumber"] == message.idempotency_key
    assert incident["briefDescription"].startswith(ticket.reference)


def test_a_rolled_back_forward_leaves_nothing(session, org):
    ticket = _ticket(session, org)
    forwarding.forward(session, reference=ticket.reference, actor="sd", org=org)
    session.rollback()
    assert session.exec(select(OutboxMessage)).all() == []
    assert store.get_ticket(session, ticket.reference).status == Status.routed


def test_the_mail_to_a_supplier_is_readable_dutch_without_the_reporter(session, org):
    ticket = _ticket(session, org, application="Youforce")  # Visma Raet, by e-mail
    message = forwarding.forward(session, reference=ticket.reference, actor="sd", org=org)
    assert (message.channel, message.recipient) == ("email", "servicedesk@visma-raet.example.org")
    assert message.subject.startswith(f"[{ticket.reference}] Melding van Gemeente Dijkstede")
    for text in ("Beste Visma Raet,", f"Onze referentie: {ticket.reference}",
                 "Applicatie: Youforce", "Prioriteit: P3", "Omschrijving:\nloopt vast"):  # fmt: skip
        assert text in message.body
    assert "@dijkstede.nl" not in message.body  # the reporter stays ours


def test_no_forwarding_method_or_a_closed_ticket_is_refused(session, org):
    kpn = _ticket(session, org, application="Telefonie")  # KPN: by phone, no method
    with pytest.raises(forwarding.NotForwardable, match="geen doorzetmethode"):
        forwarding.forward(session, reference=kpn.reference, actor="sd", org=org)
    done = _ticket(session, org)
    store.change_status(session, reference=done.reference, status=Status.resolved, actor="sd")
    with pytest.raises(forwarding.NotForwardable, match="in deze status"):
        forwarding.forward(session, reference=done.reference, actor="sd", org=org)


def test_a_forward_under_way_is_not_repeated(session, org):
    ticket = _ticket(session, org)
    forwarding.forward(session, reference=ticket.reference, actor="sd", org=org)
    session.commit()
    with pytest.raises(forwarding.AlreadyForwarded):
        forwarding.forward(session, reference=ticket.reference, actor="sd", org=org)
    session.rollback()
    # Sent elsewhere afterwards (the wrong supplier): the new supplier gets it.
    store.reassign(session, reference=ticket.reference, destination="pinkroccade", actor="sd",
                   reason="verkeerde leverancier", org=org)  # fmt: skip
    other = forwarding.forward(session, reference=ticket.reference, actor="sd", org=org)
    assert (other.channel, other.recipient) == ("webhook", "pinkroccade")


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


def _suppliers_at(org, webhook, topdesk):
    org = with_forwarding(org, "pinkroccade", url=webhook.url)
    org = with_forwarding(org, "centric", url=topdesk.base_url, username=topdesk.username)
    env = {
        "LOKET_SUPPLIER_PINKROCCADE_SECRET": webhook.secret,
        "LOKET_SUPPLIER_CENTRIC_PASSWORD": topdesk.password,
    }
    return org, env


def test_suppliers_down_then_up_each_gets_the_forward_exactly_once(
    engine, session, org, webhook, topdesk
):
    org, env = _suppliers_at(org, webhook, topdesk)
    smtp = SmtpServer()  # its port chosen, not listening yet: the mail server is away
    mailer = Mailer(host="127.0.0.1", port=smtp.port, sender="loket@de-delta.example.org",
                    timeout_seconds=2)  # fmt: skip
    senders = {
        "webhook": WebhookSender(org=org, environ=env),
        "topdesk": TopdeskSender(org=org, environ=env),
        "email": EmailSender(mailer, reply_to="regie@de-delta.example.org"),
    }
    to_centric = _ticket(session, org)
    to_pinkroccade = _ticket(session, org, application="iBurgerzaken", municipality="PLW")
    to_visma = _ticket(session, org, application="Youforce")
    for ticket in (to_centric, to_pinkroccade, to_visma):
        forwarding.forward(session, reference=ticket.reference, actor="sd", org=org)
    session.commit()
    webhook.down = topdesk.down = True
    clock = Clock(T0)
    for _ in range(20):  # ten seconds a tick: everyone away for over three minutes
        send_due(engine, senders, backoff=BACKOFF, clock=clock)
        clock.advance(10)
    webhook.down = topdesk.down = False
    with smtp:
        for _ in range(40):
            send_due(engine, senders, backoff=BACKOFF, clock=clock)
            clock.advance(10)
        mails = smtp.inbox.to("servicedesk@visma-raet.example.org")
    assert len(mails) == 1 and mails[0]["Reply-To"] == f"regie+{to_visma.reference}@de-delta.example.org"
    assert len(webhook.tickets) == 1 and len(topdesk.incidents) == 1
    assert outbox.outbox_counts(session) == {"sent": 3}
    assert max(m.attempts for m in session.exec(select(OutboxMessage))) > 1
    session.expire_all()
    # The suppliers' own numbers are the tickets' supplier references, in the audit trail too.
    centric = store.get_ticket(session, to_centric.reference)
    assert centric.supplier_reference == topdesk.incidents[0]["number"]
    assert store.get_ticket(session, to_pinkroccade.reference).supplier_reference == "PR-00001"
    assert (EventKind.delivery, "afgeleverd", centric.supplier_reference) in _events(
        session, centric
    )
    assert (EventKind.forwarded, "supplier_reference", centric.supplier_reference) in _events(
        session, centric
    )
    # Delivered means never again, however long the worker goes on.
    clock.advance(86400)
    send_due(engine, senders, backoff=BACKOFF, clock=clock)
    assert len(webhook.tickets) == 1 and len(topdesk.incidents) == 1
    # ...nor by hand, unless the ticket was reopened: then the supplier gets it anew.
    with pytest.raises(forwarding.AlreadyForwarded):
        forwarding.forward(session, reference=to_centric.reference, actor="sd", org=org)
    session.rollback()
    for status in (Status.resolved, Status.reopened):
        store.change_status(session, reference=to_centric.reference, status=status, actor="sd")
    forwarding.forward(session, reference=to_centric.reference, actor="sd", org=org)
    session.commit()
    send_due(engine, senders, backoff=BACKOFF, clock=clock)
    assert len(topdesk.incidents) == 2  # a new key, so a new incident


def test_after_the_last_try_the_ticket_is_flagged_for_staff_and_can_go_again(
    engine, session, org, webhook, topdesk
):
    org, env = _suppliers_at(org, webhook, topdesk)
    senders = {"webhook": WebhookSender(org=org, environ=env)}
    ticket = _ticket(session, org, application="iBurgerzaken", municipality="PLW")
    forwarding.forward(session, reference=ticket.reference, actor="sd", org=org)
    session.commit()
    webhook.down = True
    clock, short = Clock(T0), outbox.Backoff(first=timedelta(seconds=30), max_attempts=3)
    for _ in range(20):
        send_due(engine, senders, backoff=short, clock=clock)
        clock.advance(60)
    [(message, flagged_ticket)] = forwarding.flagged_with_tickets(session)
    assert flagged_ticket.reference == ticket.reference and message.attempts == 3
    assert forwarding.undelivered_forward(session, ticket_id=ticket.id).id == message.id
    assert forwarding.flagged_with_tickets(session, municipality="DYK") == []
    [event] = [e for e in store.ticket_events(session, ticket) if e.kind == EventKind.delivery]
    assert (event.field, event.note) == ("mislukt", "webhook 503")
    assert event.new_value == "Doorzetten naar de leverancier mislukt na 3 pogingen"
    # Staff forward again once the supplier is back: a new key, delivered.
    webhook.down = False
    again = forwarding.forward(session, reference=ticket.reference, actor="sd", org=org)
    session.commit()
    assert again.idempotency_key != message.idempotency_key
    send_due(engine, senders, backoff=short, clock=clock)
    assert len(webhook.tickets) == 1
    assert forwarding.undelivered_forward(session, ticket_id=ticket.id) is None


def test_auto_forward_only_when_the_file_says_so_and_the_router_is_sure(session, org):
    ticket = _ticket(session, org)  # catalogue route, confidence 1.0
    assert forwarding.auto_forward(session, ticket=ticket, org=org) is None  # auto is off
    auto = with_forwarding(org, "centric", auto=True)
    unsure = _ticket(session, org)
    unsure.route_confidence, unsure.needs_review = 0.9, False
    assert forwarding.auto_forward(session, ticket=unsure, org=auto) is None
    unsure.route_confidence, unsure.needs_review = 1.0, True
    assert forwarding.auto_forward(session, ticket=unsure, org=auto) is None
    message = forwarding.auto_forward(session, ticket=ticket, org=auto)
    session.commit()
    assert message is not None and message.channel == "topdesk"
    [event] = [e for e in store.ticket_events(session, ticket) if e.field == "doorzetten"]
    assert event.actor == "router" and event.note == "Automatisch doorgezet (zekerheid 100%)"


# --- Updates from suppliers ------------------------------------------------------------------


def _forwarded(session, org, application="Key2Burgerzaken"):
    ticket = _ticket(session, org, application=application)
    forwarding.forward(session, reference=ticket.reference, actor="sd", org=org)
    session.commit()
    return ticket


def test_a_supplier_sets_its_reference_status_and_a_note(session, org):
    ticket = _forwarded(session, org)
    supplier_updates.supplier_update(
        session, supplier="centric", reference=ticket.reference, org=org,
        status=Status.in_progress, supplier_reference="I 2611 007", note="We kijken ernaar.",
    )  # fmt: skip
    session.commit()
    assert (ticket.status, ticket.supplier_reference) == (Status.in_progress, "I 2611 007")
    status_event = [e for e in store.ticket_events(session, ticket) if e.kind == "status"][-1]
    assert (status_event.actor, status_event.note) == ("leverancier:centric", "We kijken ernaar.")
    # The same status again changes nothing; its note becomes an internal comment.
    supplier_updates.supplier_update(
        session, supplier="centric", reference=ticket.reference, org=org,
        status=Status.in_progress, note="Nog even geduld.",
    )  # fmt: skip
    session.commit()
    [comment] = store.ticket_comments(session, ticket)
    assert (comment.author, comment.text, comment.to_reporter) == (
        "leverancier:centric", "Nog even geduld.", False,
    )  # fmt: skip


def test_a_supplier_touches_only_tickets_forwarded_to_it(session, org):
    forwarded = _forwarded(session, org)
    not_yet = _ticket(session, org)  # Centric's, but not forwarded
    for supplier, ticket in (("pinkroccade", forwarded), ("centric", not_yet)):
        with pytest.raises(store.TicketNotFound):
            supplier_updates.supplier_update(
                session, supplier=supplier, reference=ticket.reference, org=org,
                status=Status.resolved,
            )  # fmt: skip
        session.rollback()
    assert store.get_ticket(session, forwarded.reference).status == Status.forwarded
    # Sent on to another supplier but not forwarded to it yet: that one cannot touch it either.
    store.reassign(session, reference=forwarded.reference, destination="pinkroccade",
                   actor="sd", reason="verkeerde leverancier", org=org)  # fmt: skip
    session.commit()
    with pytest.raises(store.TicketNotFound):
        supplier_updates.supplier_update(
            session, supplier="pinkroccade", reference=forwarded.reference, org=org,
            note="hallo",
        )  # fmt: skip


def test_a_status_from_the_supplier_reaches_the_reporter(session, org):
    data = _new()
    data = store.NewTicket(**{**data.__dict__, "reporter": store.Reporter(
        channel="telegram", sender_id="5001", email="anna@dijkstede.nl")})  # fmt: skip
    ticket = _create(session, org, data)
    forwarding.forward(session, reference=ticket.reference, actor="sd", org=org)
    supplier_updates.supplier_update(
        session, supplier="centric", reference=ticket.reference, org=org, status=Status.resolved
    )
    session.commit()
    chats = session.exec(select(OutboxMessage).where(OutboxMessage.channel == "telegram")).all()
    assert [m.recipient for m in chats] == ["5001", "5001"]  # forwarded, then resolved
    assert "is opgelost" in chats[-1].body


def test_a_signature_is_taken_once_and_pruned_later(engine, session):
    assert supplier_updates.remember_signature(session, supplier="centric", signature="ab" * 32, now=T0)
    session.commit()
    with Session(engine) as other:
        assert not supplier_updates.remember_signature(
            other, supplier="centric", signature="ab" * 32, now=T0
        )
    assert supplier_updates.prune_signatures(session, before=T0) == 0
    assert supplier_updates.prune_signatures(session, before=T0 + timedelta(seconds=1)) == 1
    session.commit()
    assert session.exec(select(TicketEvent).where(TicketEvent.kind == "nothing")).all() == []
