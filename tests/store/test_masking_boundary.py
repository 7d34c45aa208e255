"""No BSN or IBAN reaches a row, whichever store function (or plain SQL) writes the text."""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from loket_masking import is_bsn
from sqlalchemy import insert, select, update
from sqlmodel import SQLModel

from router.domain.access_log import AccessWhy
from router.domain.route import Route
from router.domain.vocabulary import BreachDecision, RoutedHow, Status, TicketType
from router.store import (
    access_log,
    accounts,
    breaches,
    deliveries,
    forwarding,
    jobs,
    linking,
    major_incidents,
    outages,
    outbox,
    personal_data,
    queues,
    retention,
    satisfaction,
    self_service,
    sla_watch,
    supplier_updates,
    suppliers,
    training,
)
from router.store import tickets as store
from router.store.tables import Comment, Outage, Ticket

BSN = "123456782"  # passes the 11-test
BSN_GROUPED = "1234.56.782"
BSN_EIGHT = "12345672"  # an older BSN, leading zero dropped: masked only after a cue word
IBAN = "NL91 ABNA 0417 1643 00"
CITIZEN = f"burger BSN {BSN_GROUPED}, rekening {IBAN}, oud bsn {BSN_EIGHT}, ook {BSN}"

# Every public function of the store's modules, each either exercised below as a writer or
# named as one that writes no free text. A new store function fails this test until it is
# placed in one of the two.
WRITERS = {
    "tickets.create_ticket", "tickets.change_status", "tickets.reassign",
    "tickets.confirm_route", "tickets.set_supplier_reference", "tickets.add_comment",
    "tickets.find_or_create_employee", "outages.open_outage", "outages.update_outage",
    "outages.record_bot_resolution", "self_service.withdraw", "self_service.reopen", "training.add_imported",
    "accounts.create_account", "accounts.authenticate", "accounts.set_password",
    "accounts.set_active", "accounts.end_sessions", "jobs.record_finish",
    "accounts.set_email", "satisfaction.record_satisfaction",
    "outbox.enqueue", "outbox.notify_status_change", "outbox.mark_failed",
    "forwarding.forward", "forwarding.auto_forward", "forwarding.record_failed",
    "supplier_updates.supplier_update",
    "tickets.notify_privacy_officer", "breaches.remind", "breaches.record_decision",
    "breaches.record_ap_notification", "sla_watch.mark_if_due",
    "major_incidents.link_ticket",
    "major_incidents.open_major_incident", "major_incidents.close_outage",
    "access_log.record_access",
}  # fmt: skip
NO_FREE_TEXT = {
    "suppliers.supplier_tickets",
    "tickets.format_reference", "tickets.get_ticket", "tickets.list_tickets",
    "tickets.ticket_events", "tickets.ticket_comments", "tickets.reporter_of",
    "outages.get_outage", "outages.current_outages", "self_service.find_employee",
    "self_service.own_ticket", "self_service.own_tickets", "self_service.comments_to_reporter",
    "training.imported", "training.corrections", "accounts.hash_password",
    "accounts.password_fingerprint", "accounts.account_by_id", "accounts.find_account",
    "accounts.list_accounts", "queues.scoped", "queues.ticket_in_scope", "queues.queue",
    "queues.export", "queues.triage_queue", "queues.tickets_in_scope",
    "queues.outages_in_scope", "queues.hits", "tickets.text_matches",
    "tickets.ticket_by_idempotency_key", "training.real_examples", "training.newest_ids",
    "training.count_since", "jobs.lock_key", "jobs.job_lock", "jobs.worker_guard",
    "jobs.job_state", "jobs.job_states", "jobs.record_start",
    "accounts.coordinator_addresses",
    "satisfaction.scores_of", "deliveries.already_sent", "deliveries.record_sent",
    "outbox.claim_due", "outbox.mark_sent", "outbox.flagged", "outbox.outbox_counts",
    "linking.new_code", "linking.request_code", "linking.confirm_code",
    "linking.linked_employee", "linking.claim_update", "linking.release_update",
    "linking.prune_updates", "linking.pending_email",
    "forwarding.forwarding_supplier", "forwarding.record_delivered",
    "forwarding.flagged_with_tickets", "forwarding.undelivered_forward",
    "supplier_updates.remember_signature", "supplier_updates.prune_signatures",
    "tickets.set_clocks", "outbox.already_enqueued", "queues.sla_counts",
    "breaches.undecided", "sla_watch.read_clocks", "sla_watch.candidates",
    "major_incidents.linked_tickets", "major_incidents.is_led_elsewhere", "major_incidents.bursts",
    "major_incidents.similarity_candidates", "major_incidents.take_the_lead",
    # Retention writes one fixed text, the placeholder, over the free texts it removes.
    "retention.due_for_anonymisation", "retention.anonymise_tickets",
    "retention.anonymous_reporter", "retention.forget_inactive_employees",
    "retention.prune_link_codes",
    "access_log.access_entries", "personal_data.employee_data",
}  # fmt: skip
MODULES = {"tickets": store, "outages": outages, "self_service": self_service}
MODULES |= {"training": training, "accounts": accounts, "queues": queues, "jobs": jobs}
MODULES |= {"satisfaction": satisfaction, "deliveries": deliveries}
MODULES |= {"outbox": outbox, "linking": linking, "forwarding": forwarding}
MODULES |= {"supplier_updates": supplier_updates}
MODULES |= {"breaches": breaches, "sla_watch": sla_watch, "suppliers": suppliers}
MODULES |= {"major_incidents": major_incidents, "retention": retention}
MODULES |= {"access_log": access_log, "personal_data": personal_data}


def test_every_public_store_function_is_accounted_for():
    public = {
        f"{name}.{fn}"
        for name, module in MODULES.items()
        for fn, obj in vars(module).items()
        if inspect.isfunction(obj) and obj.__module__ == module.__name__ and not fn.startswith("_")
    }
    assert public == WRITERS | NO_FREE_TEXT


def _write_through_every_store_function(session, org) -> None:
    reporter = store.Reporter(channel="rest", sender_id="s-1", email="anna@dijkstede.nl")
    data = store.NewTicket(
        municipality="DYK",
        reporter=reporter,
        type=TicketType.data_breach,
        title=f"brief met {CITIZEN}",
        description=f"verkeerd verstuurd: {CITIZEN}",
        conversation=f"medewerker: {CITIZEN}",
        impact="low",
        urgency="medium",
        discovered_at=datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
    )
    route = Route("privacy", RoutedHow.rule, 1.0)
    ref = store.create_ticket(session, data=data, route=route, org=org, actor="bot").reference
    store.change_status(
        session, reference=ref, status=Status.waiting, actor="sd", note=f"wacht: {CITIZEN}"
    )
    store.add_comment(session, reference=ref, author="sd", text=CITIZEN, to_reporter=True)
    store.add_comment(session, reference=ref, author="sd", text=CITIZEN, to_reporter=False)
    store.confirm_route(session, reference=ref, actor="sd", note=f"klopt, {CITIZEN}")
    store.reassign(
        session, reference=ref, destination="werkplek", actor="sd", reason=CITIZEN, org=org
    )
    store.set_supplier_reference(
        session, reference=ref, supplier_reference="INC-2026-0042", actor="sd"
    )
    employee = store.find_or_create_employee(session, reporter=reporter, municipality="DYK")
    second = store.create_ticket(session, data=data, route=route, org=org, actor="bot")
    self_service.withdraw(session, employee=employee, reference=second.reference, reason=CITIZEN)
    third = store.create_ticket(session, data=data, route=route, org=org, actor="bot")
    later = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)
    sla_watch.mark_if_due(session, reference=third.reference, org=org, now=later)
    breaches.remind(session, reference=third.reference, org=org, now=later)
    breaches.record_decision(
        session, reference=third.reference, decision=BreachDecision.report,
        reason=f"melden: {CITIZEN}", actor="fg", now=later,
    )  # fmt: skip
    breaches.record_ap_notification(
        session, reference=third.reference, notified_at=later, ap_reference="AP-2027-0001",
        actor="fg", now=later,
    )  # fmt: skip
    store.change_status(session, reference=ref, status=Status.resolved, actor="sd")
    reporter_of_ref = store.reporter_of(session, store.get_ticket(session, ref))
    self_service.reopen(session, employee=reporter_of_ref, reference=ref, reason=CITIZEN)
    store.change_status(session, reference=ref, status=Status.resolved, actor="sd")
    satisfaction.record_satisfaction(
        session, ticket=store.get_ticket(session, ref), score=4, remark=f"prima, {CITIZEN}",
        channel="telefoon", recorded_by="sd",
    )  # fmt: skip
    outage = outages.open_outage(
        session,
        title=f"storing {CITIZEN}",
        application=None,
        municipalities=[],
        description=CITIZEN,
    )
    outages.update_outage(session, outage_id=outage.id, description=f"update {CITIZEN}")
    outages.record_bot_resolution(
        session, topic="wachtwoord", channel="rest", municipality="DYK", helped=True
    )
    training.add_imported(
        session,
        source="import:test.csv",
        examples=[training.Labelled(f"oud ticket {CITIZEN}", "DYK", "werkplek", None)],
    )
    account = accounts.create_account(
        session, username="sd.jan", password="lang genoeg wachtwoord", role="servicedesk",
        municipality=None, org=org,
    )  # fmt: skip
    accounts.set_password(session, username=account.username, password="ander lang wachtwoord")
    accounts.set_active(session, username=account.username, active=True)
    accounts.authenticate(session, username=account.username, password="ander lang wachtwoord")
    accounts.end_sessions(session, account.username)
    jobs.record_start(session, name="outbox", worker="host:1", at=datetime(2026, 12, 1, tzinfo=UTC))
    jobs.record_finish(session, name="outbox", at=datetime(2026, 12, 1, tzinfo=UTC), error=CITIZEN)
    accounts.set_email(session, username=account.username, email="jan@de-delta.nl")
    pushed = store.get_ticket(session, ref)
    pushed.reporter_channel, pushed.reporter_address = "telegram", "5001"
    outbox.notify_status_change(session, ticket=pushed, status=Status.resolved, event_id=1)
    message = outbox.enqueue(
        session, channel="telegram", recipient="5001", body=CITIZEN, idempotency_key="m-1"
    )
    session.flush()
    at = datetime(2026, 12, 2, tzinfo=UTC)
    outbox.claim_due(session, channels=frozenset({"telegram"}), now=at, lease=timedelta(1))
    outbox.mark_failed(
        session, message_id=message.id, error=CITIZEN, now=at, backoff=outbox.Backoff()
    )
    # Forwarding to a supplier: the forward's text, the supplier's note, a given-up send.
    to_supplier = store.create_ticket(
        session, data=replace(data, type=TicketType.incident), org=org, actor="bot",
        route=Route("centric", RoutedHow.catalogue, 1.0),
    )  # fmt: skip
    auto = org.model_copy(update={"suppliers": [
        s.model_copy(update={"forwarding": s.forwarding.model_copy(update={"auto": True})})
        if s.key == "centric" else s for s in org.suppliers]})  # fmt: skip
    forwarded = forwarding.auto_forward(session, ticket=to_supplier, org=auto)
    supplier_updates.supplier_update(
        session, supplier="centric", reference=to_supplier.reference, org=org, note=CITIZEN,
        supplier_reference="I 2611 042",
    )  # fmt: skip
    session.flush()
    outbox.claim_due(session, channels=frozenset({"topdesk"}), now=at, lease=timedelta(1))
    forwarding.record_failed(
        session, message_id=forwarded.id, error=CITIZEN, now=at, permanent=True,
        backoff=outbox.Backoff(),
    )  # fmt: skip
    again = forwarding.forward(session, reference=to_supplier.reference, actor="sd", org=org,
                               note=CITIZEN)  # fmt: skip
    assert again.id != forwarded.id
    # A major incident: its title and the closing note reach every linked ticket's trail.
    incident = major_incidents.open_major_incident(
        session, title=f"plat {CITIZEN}", references=[to_supplier.reference], actor="sd",
        description=CITIZEN,
    )  # fmt: skip
    third = store.create_ticket(session, data=data, route=route, org=org, actor="bot")
    major_incidents.link_ticket(
        session, outage_id=incident.id, reference=third.reference, actor="sd"
    )
    major_incidents.close_outage(session, outage_id=incident.id, actor="sd", note=CITIZEN)
    # The access log: the reason typed for an export of personal data.
    access_log.record_access(
        session, staff="ada", tickets=[third], why=AccessWhy.export, reason=f"inzage {CITIZEN}"
    )
    session.commit()


def _every_text_in_the_store(session) -> str:
    """Every text and JSON value of every row (a password hash is no text: it is left out)."""
    values = []
    for table in SQLModel.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name != "password_hash"]
        for row in session.connection().execute(select(*columns)):
            values.extend(json.dumps(v) if isinstance(v, list | dict) else v for v in row)
    return "\n".join(v for v in values if isinstance(v, str))


def _citizen_numbers(stored: str) -> list[str]:
    """What looks like a BSN (11-test, 8 or 9 digits) or holds the IBAN's bank and number."""
    found = [
        digits
        for raw in re.findall(r"\d(?:[ .]?\d){7,8}", stored)
        if is_bsn((digits := re.sub(r"[ .]", "", raw)).zfill(9))
    ]
    return found + [part for part in ("ABNA", "0417", "1643") if part in stored]


def test_no_bsn_or_iban_reaches_any_row(session, org):
    _write_through_every_store_function(session, org)
    stored = _every_text_in_the_store(session)
    assert "[BSN]" in stored and "**43 00" in stored  # the texts did arrive, masked
    assert _citizen_numbers(stored) == []


def test_plain_sql_writes_are_masked_too(session, org):
    """A write that bypasses the store's functions (a bulk insert, an update) is masked too."""
    session.execute(insert(Outage).values(title=f"bulk {CITIZEN}", description=CITIZEN))
    session.execute(update(Outage).values(description=f"bijgewerkt {CITIZEN}"))
    session.commit()
    stored = _every_text_in_the_store(session)
    assert "bulk burger BSN [BSN]" in stored and "bijgewerkt" in stored
    assert _citizen_numbers(stored) == []


def test_the_object_in_hand_is_masked_like_its_row(session, org):
    """What the API answers right after a write is what the row holds, not the raw text."""
    outage = outages.open_outage(session, title="x", application=None, municipalities=[])
    outage.description = CITIZEN
    comment = Comment(ticket_id=0, author="sd", text=CITIZEN)
    assert BSN not in outage.description and "ABNA" not in outage.description
    assert comment.text.startswith("burger BSN [BSN], rekening **** **** **** **43 00")
    assert Ticket(title=f"t {BSN}").title == "t [BSN]"


def test_structured_fields_and_phone_numbers_keep_their_value(session, org):
    """Masking is for free text: a supplier's reference and a phone number stay readable."""
    _write_through_every_store_function(session, org)
    stored = _every_text_in_the_store(session)
    assert "INC-2026-0042" in stored
    outages.open_outage(
        session, title="bel 06 12345678 of 12345672", application=None, municipalities=[]
    )
    session.commit()
    assert "bel 06 12345678 of 12345672" in _every_text_in_the_store(session)
