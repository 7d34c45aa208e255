"""Retention on SQLite and PostgreSQL: a ticket closed longer ago than the retention period
loses its reporter and texts everywhere in the store; a younger or open one keeps them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, SQLModel, col, select

from router.domain.retention import PLACEHOLDER, months_before
from router.domain.route import Route
from router.domain.vocabulary import BreachDecision, EventKind, RoutedHow, Status, TicketType
from router.store import breaches, outbox, retention, satisfaction, training
from router.store import tickets as store
from router.store.tables import (
    ChannelIdentity,
    Employee,
    LinkCode,
    OutboxMessage,
    TicketEvent,
)
from router.worker.retention_job import anonymise_expired

NOW = datetime.now(UTC).replace(microsecond=0)
ANNA = store.Reporter("telegram", "5001", email="anna.devries@dijkstede.nl", name="Anna de Vries")
BERT = store.Reporter("telegram", "5002", email="bert.bakker@dijkstede.nl", name="Bert Bakker")
CARLA = store.Reporter("rest", "c-1", email="carla.claes@dijkstede.nl", name="Carla Claes")
# Who Anna is and whom her old tickets were about: none of it may be left anywhere.
ANNAS = ["Anna", "anna.devries", "5001", "Jansen"]


def months_ago(months: int, days: int = 0) -> datetime:
    return months_before(NOW, months) - timedelta(days=days)


def _ticket(
    session: Session,
    org,
    reporter: store.Reporter,
    *,
    title: str,
    created: datetime,
    type_: TicketType = TicketType.incident,
) -> str:
    data = store.NewTicket(
        municipality="DYK", reporter=reporter, type=type_, title=title,
        description=f"{title}; {reporter.name}, kamer 2.14, tel 06-12345678",
        impact="low", urgency="medium", conversation=f"medewerker: ik ben {reporter.name}",
        discovered_at=created if type_ == TicketType.data_breach else None,
    )  # fmt: skip
    route = Route("werkplek", RoutedHow.model, 0.8)
    ticket = store.create_ticket(session, data=data, route=route, org=org, actor="assistant",
                                 now=created)  # fmt: skip
    # The employee was first seen with this ticket (the store stamps the real time).
    session.execute(
        update(Employee)
        .where(col(Employee.id) == ticket.reporter_id, col(Employee.created_at) > created)
        .values(created_at=created)
    )
    session.execute(
        update(ChannelIdentity)
        .where(col(ChannelIdentity.employee_id) == ticket.reporter_id)
        .values(verified_at=created)
    )
    return ticket.reference


def _worked_on_and_closed(session: Session, org, reference: str, closed: datetime) -> None:
    """Everything that leaves text about a ticket: comments, a reassignment with a reason,
    status notes, news for the reporter (sent), a satisfaction remark."""
    name = store.reporter_of(session, store.get_ticket(session, reference)).name or "?"
    store.add_comment(session, reference=reference, author="sanne", to_reporter=True,
                      text=f"Beste {name}, we komen langs in kamer 2.14")  # fmt: skip
    store.add_comment(session, reference=reference, author="sanne", to_reporter=False,
                      text=f"{name} zit aan de Kerkstraat")  # fmt: skip
    store.reassign(session, reference=reference, destination="netwerk", actor="sanne",
                   reason=f"volgens {name} de netwerkprinter", org=org)  # fmt: skip
    store.change_status(session, reference=reference, status=Status.forwarded, actor="sanne",
                        note=f"{name} gebeld", org=org, now=closed - timedelta(days=2))  # fmt: skip
    store.change_status(session, reference=reference, status=Status.resolved, actor="sanne",
                        org=org, now=closed - timedelta(days=1))  # fmt: skip
    satisfaction.record_satisfaction(
        session, ticket=store.get_ticket(session, reference), score=4,
        remark=f"{name}: snel geholpen", channel="telefoon", recorded_by="sanne",
    )  # fmt: skip
    store.change_status(session, reference=reference, status=Status.closed, actor="sanne",
                        org=org, now=closed)  # fmt: skip
    session.flush()
    ticket_id = store.get_ticket(session, reference).id
    news = session.exec(select(OutboxMessage).where(OutboxMessage.ticket_id == ticket_id)).all()
    assert len(news) == 2  # forwarded, resolved
    for message in news:
        message.status, message.sent_at = outbox.SENT, closed
        session.add(message)


def _history(session: Session, org) -> dict[str, str]:
    """Anna's two old tickets (closed 25 months ago, a data breach withdrawn 26 months ago),
    Bert's closed 23 months ago, Carla's opened 30 months ago and still open."""
    old = _ticket(session, org, ANNA, title="Printer van Anna kapot", created=months_ago(25, 9))
    _worked_on_and_closed(session, org, old, months_ago(25))
    breach = _ticket(session, org, ANNA, title="Brief aan mevrouw Jansen verkeerd verstuurd",
                     created=months_ago(26, 3), type_=TicketType.data_breach)  # fmt: skip
    breaches.record_decision(
        session, reference=breach, decision=BreachDecision.no_report, actor="fg",
        reason="Jansen ingelicht, geen risico", now=months_ago(26, 2),
    )  # fmt: skip
    store.change_status(session, reference=breach, status=Status.withdrawn, actor="reporter",
                        note="Anna: dubbel gemeld", now=months_ago(26))  # fmt: skip
    recent = _ticket(session, org, BERT, title="Scanner van Bert", created=months_ago(23, 9))
    _worked_on_and_closed(session, org, recent, months_ago(23))
    still_open = _ticket(session, org, CARLA, title="VPN van Carla", created=months_ago(30))
    session.commit()
    return {"old": old, "breach": breach, "recent": recent, "open": still_open}


def _rows_of(session: Session, reference: str) -> dict[str, list]:
    """Every row about a ticket, as plain values (its reporter too)."""
    ticket = store.get_ticket(session, reference)
    rows: dict[str, list] = {"ticket": [ticket.model_dump()]}
    rows["reporter"] = [store.reporter_of(session, ticket).model_dump()]
    for table in SQLModel.metadata.sorted_tables:
        if "ticket_id" in table.columns:
            found = session.connection().execute(
                select(table).where(table.c.ticket_id == ticket.id).order_by(table.c.id)
            )
            rows[table.name] = [dict(row._mapping) for row in found]
    return rows


def _every_text(session: Session) -> str:
    values = []
    for table in SQLModel.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name != "password_hash"]
        for row in session.connection().execute(select(*columns)):
            values.extend(json.dumps(v) if isinstance(v, list | dict) else v for v in row)
    return "\n".join(v for v in values if isinstance(v, str))


def test_a_ticket_closed_25_months_ago_keeps_no_personal_data_anywhere(engine, session, org):
    refs = _history(session, org)
    assert all(name in _every_text(session) for name in ANNAS)
    counts = anonymise_expired(engine, months=24, now=NOW)
    session.rollback()  # a new transaction sees what the job committed
    stored = _every_text(session)
    assert [name for name in ANNAS if name in stored] == []
    assert "Bert" in stored and "Carla" in stored
    assert counts["tickets"] == 2 and counts["employees"] == 1
    old = store.get_ticket(session, refs["old"])
    assert (old.title, old.description, old.conversation) == (PLACEHOLDER,) * 3
    assert old.anonymised_at == NOW and old.reporter_address is None
    reporter = store.reporter_of(session, old)
    assert (reporter.name, reporter.email) == (PLACEHOLDER, None)
    breach = store.get_ticket(session, refs["breach"])
    assert breach.breach_decision_reason == PLACEHOLDER
    assert breach.reporter_id == old.reporter_id  # the one anonymous employee
    # Anna has no ticket left and was not seen since: her identity on Telegram is gone.
    assert session.exec(select(ChannelIdentity).where(ChannelIdentity.sender_id == "5001")).all() == []
    assert session.exec(select(Employee).where(col(Employee.name).contains("Anna"))).all() == []


def test_what_the_report_needs_is_kept(engine, session, org):
    refs = _history(session, org)
    before = _rows_of(session, refs["old"])
    anonymise_expired(engine, months=24, now=NOW)
    session.rollback()  # a new transaction sees what the job committed
    after = _rows_of(session, refs["old"])
    kept = ["reference", "municipality", "type", "application", "priority", "destination",
            "routed_how", "route_confidence", "status", "created_at", "resolved_at",
            "closed_at", "first_response_at", "sla_due_at", "response_due_at", "sla_state",
            "outage_id", "reporter_channel"]  # fmt: skip
    assert {k: after["ticket"][0][k] for k in kept} == {k: before["ticket"][0][k] for k in kept}

    def structured(event: dict) -> tuple:
        values = (event["old_value"], event["new_value"])
        return (event["kind"], event["field"], event["actor"], event["at"],
                values if event["kind"] != EventKind.comment else None)  # fmt: skip

    assert [structured(e) for e in after["ticketevent"]] == [
        structured(e) for e in before["ticketevent"]
    ]
    comment_events = [e for e in after["ticketevent"] if e["kind"] == EventKind.comment]
    assert comment_events and {e["new_value"] for e in comment_events} == {PLACEHOLDER}
    assert {e["note"] for e in after["ticketevent"]} <= {None, PLACEHOLDER}
    assert [(c["author"], c["to_reporter"], c["text"]) for c in after["comment"]] == [
        (c["author"], c["to_reporter"], PLACEHOLDER) for c in before["comment"]
    ]
    (score,) = after["satisfactionscore"]
    assert (score["score"], score["remark"]) == (4, None)
    (correction,) = after["routecorrection"]
    assert (correction["from_destination"], correction["to_destination"]) == (
        "werkplek",
        "netwerk",
    )
    assert (correction["text"], correction["reason"]) == (PLACEHOLDER, PLACEHOLDER)
    assert {(m["status"], m["recipient"], m["body"]) for m in after["outboxmessage"]} == {
        (outbox.SENT, PLACEHOLDER, PLACEHOLDER)
    }


def test_a_younger_or_open_ticket_is_untouched_and_a_second_run_changes_nothing(
    engine, session, org
):
    refs = _history(session, org)
    untouched = {name: _rows_of(session, refs[name]) for name in ("recent", "open")}
    first = anonymise_expired(engine, months=24, now=NOW)
    session.rollback()  # a new transaction sees what the job committed
    assert {name: _rows_of(session, refs[name]) for name in ("recent", "open")} == untouched
    assert store.get_ticket(session, refs["recent"]).anonymised_at is None
    everything = _every_text(session)
    old = _rows_of(session, refs["old"])
    second = anonymise_expired(engine, months=24, now=NOW + timedelta(days=1))
    session.rollback()  # a new transaction sees what the job committed
    assert first["tickets"] == 2
    assert {k: v for k, v in second.items() if isinstance(v, int) and k != "months"} == dict.fromkeys(
        [*retention.COUNTED, "employees", "link_codes"], 0
    )
    assert _every_text(session) == everything and _rows_of(session, refs["old"]) == old


def test_an_employee_with_a_recent_ticket_keeps_it_but_not_the_old_one(engine, session, org):
    old = _ticket(session, org, BERT, title="Muis van Bert", created=months_ago(27))
    store.change_status(session, reference=old, status=Status.withdrawn, actor="reporter",
                        now=months_ago(26))  # fmt: skip
    recent = _ticket(session, org, BERT, title="Toetsenbord van Bert", created=months_ago(1))
    session.commit()
    anonymise_expired(engine, months=24, now=NOW)
    session.rollback()  # a new transaction sees what the job committed
    bert = store.reporter_of(session, store.get_ticket(session, recent))
    assert (bert.name, bert.email) == ("Bert Bakker", "bert.bakker@dijkstede.nl")
    assert store.reporter_of(session, store.get_ticket(session, old)).name == PLACEHOLDER
    assert session.exec(select(ChannelIdentity).where(ChannelIdentity.sender_id == "5002")).all()


def test_an_employee_linked_within_the_period_is_not_forgotten(engine, session, org):
    old = _ticket(session, org, ANNA, title="Printer van Anna", created=months_ago(30))
    store.change_status(session, reference=old, status=Status.withdrawn, actor="reporter",
                        now=months_ago(29))  # fmt: skip
    session.execute(update(ChannelIdentity).values(verified_at=months_ago(2)))
    session.add(LinkCode(channel="telegram", sender_id="5001", email=ANNA.email,
                         code_digest="0" * 64, created_at=months_ago(30),
                         expires_at=months_ago(30) + timedelta(minutes=10)))  # fmt: skip
    session.commit()
    counts = anonymise_expired(engine, months=24, now=NOW)
    session.rollback()  # a new transaction sees what the job committed
    assert (counts["tickets"], counts["employees"], counts["link_codes"]) == (1, 0, 1)
    assert store.get_ticket(session, old).title == PLACEHOLDER
    identity = session.exec(select(ChannelIdentity).where(ChannelIdentity.sender_id == "5001")).one()
    assert session.get_one(Employee, identity.employee_id).email == ANNA.email


def test_a_message_never_sent_is_flagged_and_never_goes_out(engine, session, org):
    reference = _ticket(session, org, ANNA, title="Printer van Anna", created=months_ago(26))
    store.change_status(session, reference=reference, status=Status.waiting, actor="sanne",
                        org=org, now=months_ago(26))  # fmt: skip
    store.change_status(session, reference=reference, status=Status.withdrawn, actor="reporter",
                        org=org, now=months_ago(25))  # fmt: skip
    session.commit()
    counts = anonymise_expired(engine, months=24, now=NOW)
    session.rollback()  # a new transaction sees what the job committed
    (message,) = session.exec(select(OutboxMessage)).all()
    assert counts["messages_unsent"] == 1
    assert (message.status, message.flagged_at) == (outbox.FLAGGED, NOW)
    assert message.last_error.startswith("Niet verstuurd: de bewaartermijn")
    assert outbox.claim_due(session, channels=frozenset({"telegram"}), now=NOW + timedelta(1),
                            lease=timedelta(minutes=5)) == []  # fmt: skip


def test_the_retraining_leaves_out_corrections_of_anonymised_tickets(engine, session, org):
    refs = _history(session, org)
    assert len(training.corrections(session)) == 2
    anonymise_expired(engine, months=24, now=NOW)
    session.rollback()  # a new transaction sees what the job committed
    (kept,) = training.corrections(session)
    assert "Bert" in kept.text
    assert [e.text for e in training.real_examples(session)] == [kept.text]
    recent = store.get_ticket(session, refs["recent"])
    assert session.exec(
        select(TicketEvent).where(TicketEvent.ticket_id == recent.id, TicketEvent.note == PLACEHOLDER)
    ).all() == []


def test_the_cutoff_counts_calendar_months():
    assert months_before(datetime(2028, 3, 31, 3, 0, tzinfo=UTC), 1) == datetime(
        2028, 2, 29, 3, 0, tzinfo=UTC
    )
    assert months_before(datetime(2028, 1, 15, tzinfo=UTC), 24) == datetime(2026, 1, 15, tzinfo=UTC)
    assert months_before(datetime(2028, 1, 15, tzinfo=UTC), 13) == datetime(2026, 12, 15, tzinfo=UTC)
