"""The ticket store's tables (SQLModel). Schema changes go through Alembic migrations.

Every free-text column is a MaskedText: a BSN or IBAN is masked on its way into the row, by
whatever path it is written, and in the object that holds it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from loket_masking import mask_personal_data
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    String,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import AutoString

from router.domain.vocabulary import OutageStatus, Status


def utcnow() -> datetime:
    return datetime.now(UTC)


def flushed_id(row_id: int | None) -> int:
    """The primary key of a row the database has already numbered (added and flushed)."""
    if row_id is None:
        raise RuntimeError("row has no id yet: flush the session first")
    return row_id


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC on every database, always returned timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class MaskedText(TypeDecorator):
    """Free text that may hold citizens' data: stored with every BSN and IBAN masked."""

    impl = AutoString
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return mask_personal_data(value)


class Row(SQLModel):
    """Base of every table: a MaskedText attribute is masked when set, so the object in hand
    holds what its row holds."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _masked_columns(type(self)):
            value = mask_personal_data(value)
        super().__setattr__(name, value)


@cache
def _masked_columns(table_class: type) -> frozenset[str]:
    table = getattr(table_class, "__table__", None)
    if table is None:
        return frozenset()
    return frozenset(c.key for c in table.columns if isinstance(c.type, MaskedText))


class Employee(Row, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, max_length=254, unique=True)
    name: str | None = Field(default=None, max_length=200)
    municipality: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChannelIdentity(Row, table=True):
    """How an employee is known on a chat channel (rest, telegram, msteams)."""

    __table_args__ = (UniqueConstraint("channel", "sender_id"),)
    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    channel: str = Field(max_length=32)
    sender_id: str = Field(max_length=200)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReferenceCounter(Row, table=True):
    """The last ticket number handed out per calendar year."""

    year: int = Field(primary_key=True)
    last_number: int = 0


class Ticket(Row, table=True):
    __table_args__ = (
        UniqueConstraint("year", "number"),
        Index("ix_ticket_status_destination", "status", "destination"),
        Index("ix_ticket_municipality_status", "municipality", "status"),
        Index("ix_ticket_needs_review_created", "needs_review", "created_at"),
        # The staff workspace's queue views filter on one of these and sort by age.
        Index("ix_ticket_municipality_created", "municipality", "created_at"),
        Index("ix_ticket_destination_created", "destination", "created_at"),
        Index("ix_ticket_status_created", "status", "created_at"),
        Index("ix_ticket_priority_created", "priority", "created_at"),
        # POST /api/tickets with an Idempotency-Key: one ticket per key, even when racing.
        Index("ux_ticket_idempotency_key", "idempotency_key", unique=True),
        # The retention job's nightly look-up: not yet anonymised, closed before the cutoff.
        Index("ix_ticket_anonymised_closed", "anonymised_at", "closed_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=16, unique=True)
    year: int
    number: int
    municipality: str = Field(max_length=8)
    reporter_id: int = Field(foreign_key="employee.id", index=True)
    type: str = Field(sa_type=String(24))  # a TicketType
    application: str | None = Field(default=None, max_length=100)
    title: str = Field(max_length=200, sa_type=MaskedText(200))
    description: str = Field(sa_type=MaskedText)
    conversation: str | None = Field(default=None, sa_type=MaskedText)
    impact: str = Field(max_length=8)
    urgency: str = Field(max_length=8)
    priority: str = Field(max_length=2)
    destination: str = Field(max_length=64)
    routed_how: str = Field(sa_type=String(16))  # a RoutedHow
    route_confidence: float
    route_alternatives: list[dict] = Field(default_factory=list, sa_column=Column(JSON))
    route_reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # "waarom?"
    needs_review: bool = False
    status: str = Field(default=Status.new, sa_type=String(16))  # a Status
    supplier_reference: str | None = Field(default=None, max_length=100)
    # The SLA clocks (router/domain/sla.py), in the destination's business hours: the first
    # response, and the resolution (`sla_due_at`), which stops while the ticket waits for the
    # reporter: `waiting_since` marks the pause, `sla_paused_seconds` adds up the business
    # seconds paused, and leaving `waiting` moves `sla_due_at` on by them.
    response_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sla_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    waiting_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sla_paused_seconds: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Marked by the worker's SLA check, once per state: none -> at_risk -> breached (an SlaState).
    sla_state: str = Field(
        default="none", sa_type=String(16), sa_column_kwargs={"server_default": "none"}
    )
    sla_at_risk_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sla_breached_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A data breach must be reported to the Autoriteit Persoonsgegevens within 72 hours.
    notify_deadline_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The privacy officer's decision (a BreachDecision: report or no_report) and why; when the
    # AP was notified and its reference (a structured field, kept as given).
    breach_decision: str | None = Field(default=None, sa_type=String(16))
    breach_decision_reason: str | None = Field(default=None, sa_type=MaskedText)
    breach_decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    breach_decided_by: str | None = Field(default=None, max_length=200)
    ap_notified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ap_reference: str | None = Field(default=None, max_length=100)
    outage_id: int | None = Field(default=None, foreign_key="outage.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    first_response_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, index=True, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The client's Idempotency-Key, and a digest of the request that created the ticket (a
    # retry must carry the same request; a different one reusing the key is refused).
    idempotency_key: str | None = Field(default=None, max_length=200)
    request_digest: str | None = Field(default=None, max_length=64)
    # Where the reporter reported it, so that news reaches them there (chat notifications):
    # the channel (telegram, msteams, rest...) and its address (the Telegram chat id).
    reporter_channel: str | None = Field(default=None, max_length=32)
    reporter_address: str | None = Field(default=None, max_length=500)
    # When the retention job replaced its personal data and texts (router/store/retention.py).
    anonymised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# The conditions of TicketEvent's partial indexes: the changes of status the report reads.
RESOLVED_CHANGE = "kind = 'status' AND new_value = 'resolved'"
WAITING_CHANGE = "kind = 'status' AND new_value = 'waiting'"


class TicketEvent(Row, table=True):
    """Append-only audit trail: every change to a ticket, who made it and when."""

    # The weekly report reads the changes to resolved (eight weeks of them) and to waiting
    # from these small partial indexes alone, not from every event in its time range. kind
    # and new_value are fixed by the condition; they are columns as well because SQLite
    # reads an index without its table only when the index holds every column the query names.
    __table_args__ = (
        Index(
            "ix_ticketevent_resolved_at", "at", "ticket_id", "kind", "new_value",
            postgresql_where=text(RESOLVED_CHANGE), sqlite_where=text(RESOLVED_CHANGE),
        ),
        Index(
            "ix_ticketevent_waiting_at", "at", "ticket_id", "kind", "new_value",
            postgresql_where=text(WAITING_CHANGE), sqlite_where=text(WAITING_CHANGE),
        ),
    )  # fmt: skip
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)
    actor: str = Field(max_length=200)
    kind: str = Field(max_length=32)  # an EventKind
    field: str | None = Field(default=None, max_length=64)
    old_value: str | None = Field(default=None, sa_type=MaskedText)
    new_value: str | None = Field(default=None, sa_type=MaskedText)
    note: str | None = Field(default=None, sa_type=MaskedText)


class Comment(Row, table=True):
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    author: str = Field(max_length=200)
    text: str = Field(sa_type=MaskedText)
    to_reporter: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RouteCorrection(Row, table=True):
    """A staff reassignment: a labelled example for the router's retraining."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    municipality: str = Field(max_length=8)
    application: str | None = Field(default=None, max_length=100)
    text: str = Field(sa_type=MaskedText)
    from_destination: str = Field(max_length=64)
    to_destination: str = Field(max_length=64)
    from_how: str = Field(max_length=16)
    actor: str = Field(max_length=200)
    reason: str | None = Field(default=None, sa_type=MaskedText)
    at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)


class OutboxMessage(Row, table=True):
    """A message leaving the building (a chat notification now, supplier mail later), written
    in the transaction of the change that causes it and sent at least once by `loket worker`
    (router/store/outbox.py: pending -> sending -> sent, or flagged for staff)."""

    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ux_outbox_idempotency_key", "idempotency_key", unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    channel: str = Field(max_length=32)  # telegram, msteams, email, webhook
    recipient: str = Field(max_length=500)  # a chat id, an e-mail address, a URL
    body: str = Field(sa_type=MaskedText)
    subject: str | None = Field(default=None, max_length=200, sa_type=MaskedText(200))  # e-mail
    # One message per cause (e.g. the ticket event that changed the status): writing the same
    # key twice is refused, and receivers that take a key (mail, webhooks) get this one.
    idempotency_key: str = Field(max_length=200)
    status: str = Field(default="pending", max_length=16)  # pending, sending, sent, flagged
    attempts: int = 0
    # When it is due next; while `sending`, when the claim lapses (a worker died mid-send).
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=300, sa_type=MaskedText(300))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledgement: str | None = Field(default=None, max_length=200)  # the channel's own id
    flagged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StaffAccount(Row, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(sa_type=String(16))  # a Role
    municipality: str | None = Field(default=None, max_length=8)  # coordinators only
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Part of every session cookie; raised at sign-out, new password and deactivation, which
    # ends every session issued before (a copied cookie included).
    session_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    email: str | None = Field(default=None, max_length=254)  # optional: the weekly report


class TrainingExample(Row, table=True):
    """A labelled ticket text for the router's text model (imported history, for example)."""

    __table_args__ = (Index("ix_trainingexample_source_at", "source", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64)  # e.g. "import:topdesk-2025.csv"
    text: str = Field(sa_type=MaskedText)
    municipality: str | None = Field(default=None, max_length=8)
    destination: str = Field(max_length=64)
    at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Outage(Row, table=True):
    """A known outage or major incident, announced to employees who ask.

    Tickets about it are linked to it (Ticket.outage_id). A major incident reaches the supplier
    once, through its lead ticket (forwarded as any ticket, the supplier's reference kept
    there); the other linked tickets are never forwarded on their own. Closing it resolves
    every linked open ticket (router/store/major_incidents.py)."""

    __table_args__ = (Index("ix_outage_status_application", "status", "application"),)
    id: int | None = Field(default=None, primary_key=True)
    application: str | None = Field(default=None, max_length=100)  # None: general
    title: str = Field(max_length=200, sa_type=MaskedText(200))
    description: str = Field(default="", sa_type=MaskedText)
    municipalities: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # []: all
    status: str = Field(default=OutageStatus.open, max_length=16)  # an OutageStatus
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The ticket that carries the major incident to the supplier: the first one linked, unless
    # staff opened it from a set of tickets (then the oldest). A reference, not a foreign key:
    # tickets already point here, and a cycle of foreign keys has no order to create rows in.
    lead_reference: str | None = Field(default=None, max_length=16)


class BotResolution(Row, table=True):
    """A question the assistant answered without a ticket (no personal data: counts only)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)
    topic: str = Field(max_length=100)
    municipality: str | None = Field(default=None, max_length=8)
    channel: str = Field(max_length=32)
    helped: bool = True


class JobState(Row, table=True):
    """The last run of one background job of `loket worker` (one row per job)."""

    name: str = Field(primary_key=True, max_length=64)
    last_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_outcome: str | None = Field(default=None, max_length=16)  # running, ok, failed
    last_worker: str | None = Field(default=None, max_length=200)  # host:pid
    # What the run reported (counts, figures); no free text of tickets goes here.
    last_detail: dict = Field(default_factory=dict, sa_column=Column(JSON))
    last_error: str | None = Field(default=None, sa_type=MaskedText)
    runs: int = 0
    failures: int = 0
class SatisfactionScore(Row, table=True):
    """An employee's score (1-5) of a resolved ticket, with an optional remark."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    score: int
    remark: str | None = Field(default=None, sa_type=MaskedText)
    channel: str = Field(max_length=32)  # "telefoon" when staff record it; a chat channel later
    recorded_by: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)


class DemoSeed(Row, table=True):
    """A run of `loket demo seed`: the store holds synthetic tickets (reports say so)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    weeks: int
    tickets: int
    first_ticket_id: int | None = None
    last_ticket_id: int | None = None


class ChannelUpdate(Row, table=True):
    """A chat platform's update already taken (Telegram retries a webhook it thinks failed):
    shared by every Rasa process, so that one update is handled once. Pruned after a week."""

    channel: str = Field(primary_key=True, max_length=32)
    update_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)


class LinkCode(Row, table=True):
    """A one-time code mailed to link a chat account (Telegram) to a municipal e-mail address.

    Only a digest of the code is kept. Rows are the shared state of the limits too: codes
    asked per account and per address, wrong tries, and the block after three."""

    __table_args__ = (
        Index("ix_linkcode_sender_created", "channel", "sender_id", "created_at"),
        Index("ix_linkcode_email_created", "email", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    sender_id: str = Field(max_length=200)
    email: str = Field(max_length=254)
    code_digest: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    wrong_attempts: int = 0
    blocked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SupplierSignature(Row, table=True):
    """The signature of a supplier's update already applied: the same signed request again is
    a replay and is refused, whichever service process receives it. Kept a little longer than
    the time window a signature is valid in, then pruned."""

    signature: str = Field(primary_key=True, max_length=64)  # hex HMAC-SHA256
    supplier: str = Field(max_length=64)
    received_at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)


class TicketAccess(Row, table=True):
    """Who opened a ticket's contents in the workspace (or exported them), when and why: the
    access log of issue 17. It holds no ticket text: the ticket's id and reference, the staff
    account, the time, where the view came from (an AccessWhy), and for an export of personal
    data the reason typed. The ticket is not a foreign key: the log outlives its ticket."""

    __table_args__ = (
        Index("ix_ticketaccess_reference_at", "reference", "at"),
        Index("ix_ticketaccess_staff_at", "staff", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)
    staff: str = Field(max_length=200)  # the staff account's username ("cli:<user>" for loket)
    ticket_id: int
    reference: str = Field(max_length=16)
    why: str = Field(sa_type=String(16))  # an AccessWhy
    reason: str | None = Field(default=None, max_length=500, sa_type=MaskedText(500))
