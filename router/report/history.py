"""Ticket histories written straight into the store, with the times they happened: for the
demo history (`loket demo seed`), the report's tests and the benchmark.

A history is a ticket's creation and each later step (status change, reassignment, route
confirmation, comment) at its own moment. They become the rows the store's own functions
would have written (ticket, audit events, route corrections), inserted in bulk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import func, insert, text, update
from sqlmodel import Session, col, select

from router.domain.org import Organisation
from router.domain.sla import due_at
from router.domain.vocabulary import EventKind, RoutedHow, Status, TicketType
from router.store.tables import (
    Employee,
    ReferenceCounter,
    RouteCorrection,
    Ticket,
    TicketEvent,
)
from router.store.tickets import BREACH_NOTIFY

CLOSING = {Status.closed, Status.withdrawn}


@dataclass(frozen=True)
class Step:
    at: datetime
    kind: EventKind
    value: str  # the new status, the new destination, or the comment's text
    actor: str = "servicedesk"
    note: str | None = None


@dataclass
class History:
    municipality: str
    type: TicketType
    priority: str
    destination: str  # where the router sent it
    routed_how: RoutedHow
    created_at: datetime
    title: str
    application: str | None = None
    steps: list[Step] = field(default_factory=list)
    created_by: str = "assistant"
    outage_id: int | None = None
    confidence: float = 1.0

    def status(self, at: datetime, value: Status, actor: str = "servicedesk") -> History:
        self.steps.append(Step(at, EventKind.status, value, actor))
        return self

    def reassign(self, at: datetime, to: str, actor: str = "servicedesk") -> History:
        self.steps.append(Step(at, EventKind.reassigned, to, actor))
        return self

    def review(self, at: datetime, actor: str = "servicedesk") -> History:
        self.steps.append(Step(at, EventKind.reviewed, "", actor))
        return self

    def comment(self, at: datetime, text: str, actor: str = "servicedesk") -> History:
        self.steps.append(Step(at, EventKind.comment, text, actor))
        return self


@dataclass
class Rows:
    tickets: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)


def _impact_urgency(priority: str) -> tuple[str, str]:
    return {"P1": ("high", "high"), "P2": ("high", "medium"), "P3": ("medium", "medium"),
            "P4": ("low", "low")}[priority]  # fmt: skip


def rows_for(
    histories: Iterable[History],
    org: Organisation,
    *,
    reporters: dict[str, int],
    first_ids: tuple[int, int, int],
    numbers: dict[int, int],
) -> Iterator[Rows]:
    """The store's rows for each history (one Rows per history); `numbers` holds the last
    reference number per year and is advanced."""
    ticket_id, correction_id = first_ids[0], first_ids[2]
    ids = {"event": first_ids[1]}
    targets = org.sla.targets_hours
    for h in histories:
        rows = Rows()
        year = h.created_at.year
        numbers[year] = number = numbers.get(year, 0) + 1
        impact, urgency = _impact_urgency(h.priority)
        ticket: dict[str, Any] = {
            "id": ticket_id, "reference": f"M-{year}-{number:06d}", "year": year,
            "number": number, "municipality": h.municipality,
            "reporter_id": reporters[h.municipality], "type": str(h.type),
            "application": h.application, "title": h.title, "description": h.title,
            "conversation": None, "impact": impact, "urgency": urgency,
            "priority": h.priority, "destination": h.destination,
            "routed_how": str(h.routed_how), "route_confidence": h.confidence,
            "route_alternatives": [], "route_reasons": [],
            "needs_review": h.routed_how == RoutedHow.triage, "status": str(Status.routed),
            "supplier_reference": None,
            "sla_due_at": due_at(h.created_at, targets[h.priority], org.sla),  # type: ignore[index]
            "notify_deadline_at": h.created_at + BREACH_NOTIFY
            if h.type == TicketType.data_breach else None,
            "outage_id": h.outage_id, "created_at": h.created_at, "updated_at": h.created_at,
            "first_response_at": None, "resolved_at": None, "closed_at": None,
            "idempotency_key": None, "request_digest": None,
        }  # fmt: skip

        event = partial(_event, rows, ids, ticket["id"])

        event(h.created_at, h.created_by, EventKind.created, new=ticket["reference"])
        event(h.created_at, h.created_by, EventKind.routed, field="destination",
              new=h.destination)  # fmt: skip
        event(h.created_at, h.created_by, EventKind.status, field="status", old="new",
              new="routed")  # fmt: skip
        for step in sorted(h.steps, key=lambda s: s.at):
            if step.kind == EventKind.status:
                _apply_status(ticket, step)
                event(step.at, step.actor, EventKind.status, field="status",
                      old=ticket.pop("_old"), new=step.value)  # fmt: skip
            elif step.kind == EventKind.reassigned:
                rows.corrections.append({
                    "id": correction_id, "ticket_id": ticket_id,
                    "municipality": h.municipality, "application": h.application,
                    "text": h.title, "from_destination": ticket["destination"],
                    "to_destination": step.value, "from_how": ticket["routed_how"],
                    "actor": step.actor, "reason": step.note, "at": step.at,
                })  # fmt: skip
                correction_id += 1
                event(step.at, step.actor, EventKind.reassigned, field="destination",
                      old=ticket["destination"], new=step.value)  # fmt: skip
                ticket.update(destination=step.value, routed_how=str(RoutedHow.staff),
                              route_confidence=1.0, needs_review=False)  # fmt: skip
            elif step.kind == EventKind.reviewed:
                ticket["needs_review"] = False
                event(step.at, step.actor, EventKind.reviewed, field="destination",
                      new=ticket["destination"])  # fmt: skip
            else:
                if ticket["first_response_at"] is None:
                    ticket["first_response_at"] = step.at
                event(step.at, step.actor, EventKind.comment, field="to_reporter",
                      new=step.value)  # fmt: skip
            ticket["updated_at"] = step.at
        rows.tickets.append(ticket)
        ticket_id += 1
        yield rows


def _event(
    rows: Rows,
    ids: dict[str, int],
    ticket_id: int,
    at: datetime,
    actor: str,
    kind: EventKind,
    **values: Any,
) -> None:
    rows.events.append({
        "id": ids["event"], "ticket_id": ticket_id, "at": at, "actor": actor,
        "kind": str(kind), "field": values.get("field"), "old_value": values.get("old"),
        "new_value": values.get("new"), "note": values.get("note"),
    })  # fmt: skip
    ids["event"] += 1


def _apply_status(ticket: dict[str, Any], step: Step) -> None:
    ticket["_old"] = ticket["status"]
    ticket["status"] = step.value
    if step.value not in {Status.routed, Status.withdrawn} and ticket["first_response_at"] is None:
        ticket["first_response_at"] = step.at
    if step.value == Status.resolved:
        ticket["resolved_at"] = step.at
    elif step.value in CLOSING:
        ticket["closed_at"] = step.at
    elif step.value == Status.reopened:
        ticket["resolved_at"] = None


def reporters_for(session: Session, org: Organisation, local_part: str) -> dict[str, int]:
    """One reporting employee per municipality (created when missing)."""
    found: dict[str, int] = {}
    for m in org.municipalities:
        email = f"{local_part}@{m.email_domain}"
        employee = session.exec(select(Employee).where(Employee.email == email)).first()
        if employee is None:
            employee = Employee(email=email, name=f"{local_part} ({m.name})", municipality=m.key)
            session.add(employee)
            session.flush()
        found[m.key] = employee.id  # type: ignore[assignment]
    return found


def next_ids(session: Session) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        (session.execute(select(func.max(c))).scalar() or 0) + 1
        for c in (col(Ticket.id), col(TicketEvent.id), col(RouteCorrection.id))
    )


def reference_numbers(session: Session) -> dict[int, int]:
    return {r.year: r.last_number for r in session.exec(select(ReferenceCounter)).all()}


def save_numbers(session: Session, numbers: dict[int, int]) -> None:
    """Advance the per-year counters past the numbers the histories took."""
    known = reference_numbers(session)
    for year, last in numbers.items():
        if year in known:
            session.execute(
                update(ReferenceCounter).where(col(ReferenceCounter.year) == year)
                .values(last_number=last)
            )  # fmt: skip
        else:
            session.add(ReferenceCounter(year=year, last_number=last))
    session.flush()


def resync_sequences(session: Session) -> None:
    """PostgreSQL: explicit ids were written, so move each id sequence past them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("ticket", "ticketevent", "routecorrection"):
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def insert_histories(
    session: Session, org: Organisation, histories: Iterable[History], *, reporter: str
) -> list[int]:
    """Write the histories into the store (the caller commits); the new tickets' ids."""
    numbers = reference_numbers(session)
    batch = Rows()
    for rows in rows_for(
        histories, org, reporters=reporters_for(session, org, reporter),
        first_ids=next_ids(session), numbers=numbers,
    ):  # fmt: skip
        batch.tickets += rows.tickets
        batch.events += rows.events
        batch.corrections += rows.corrections
    if batch.tickets:
        session.execute(insert(Ticket), batch.tickets)
        session.execute(insert(TicketEvent), batch.events)
    if batch.corrections:
        session.execute(insert(RouteCorrection), batch.corrections)
    save_numbers(session, numbers)
    resync_sequences(session)
    session.flush()
    return [t["id"] for t in batch.tickets]
