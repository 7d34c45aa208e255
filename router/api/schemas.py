"""Request and response bodies of the JSON API; they also make its OpenAPI description."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

from router.domain.vocabulary import Status, TicketType

CLOCK_SKEW = timedelta(minutes=5)  # between the action server's clock and ours
# A breach is reported soon after it is found: further back than this is a wrong date.
DISCOVERY_HORIZON = timedelta(days=366)
MAX_OFFSET = 1_000_000  # paging further is a search's job, not an offset's

# C0 control characters other than tab, LF and CR: refused in every text field (the
# action server strips them from what the employee typed). Format characters such as
# right-to-left marks and zero-width joiners are not controls and are kept.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

MAX_TEXT = 10_000
Level = Literal["low", "medium", "high"]


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        yield from (item for item in value if isinstance(item, str))


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        for text in _texts(value):
            found = CONTROL_CHARACTERS.search(text)
            if found:
                raise ValueError(
                    f"contains control character U+{ord(found.group()):04X}, not allowed"
                )
        return value


class ReporterIn(_In):
    channel: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$")
    sender_id: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    name: str | None = Field(default=None, max_length=200)
    # Where the channel's notifications go when that is not the sender id (Teams: the
    # conversation's service URL and id as JSON, router/channels/msteams.py).
    address: str | None = Field(default=None, min_length=1, max_length=500)


class TicketIn(_In):
    municipality: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="key (DYK) or name; when left out, the reporter's e-mail domain decides",
    )
    reporter: ReporterIn
    type: TicketType = TicketType.incident
    application: str | None = Field(default=None, max_length=100)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=MAX_TEXT)
    impact: Level = "low"
    urgency: Level = "medium"
    conversation: str | None = Field(default=None, max_length=2 * MAX_TEXT)
    discovered_at: AwareDatetime | None = Field(
        default=None,
        description="data breaches: when it was discovered (with time zone); the 72 hours "
        "for notifying the DPA count from here instead of from the report",
    )

    @field_validator("discovered_at")
    @classmethod
    def _plausible(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        now = datetime.now(UTC)
        # Years first: converting the year 1 or 9999 to UTC for a comparison can overflow.
        if value.year > now.year + 1 or (value.year >= now.year - 1 and value > now + CLOCK_SKEW):
            raise ValueError("discovered_at lies in the future")
        if value.year < now.year - 2 or value < now - DISCOVERY_HORIZON:
            raise ValueError("discovered_at lies more than a year back")
        return value


class WhoIn(_In):
    """The employee a self-service request is for: e-mail, or a channel identity."""

    email: EmailStr | None = None
    channel: str | None = Field(default=None, max_length=32)
    sender_id: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _someone(self) -> WhoIn:
        if not self.email and not (self.channel and self.sender_id):
            raise ValueError("give the employee's email, or channel and sender_id")
        return self


class MyTicketsQuery(WhoIn):
    all: bool = False


class WithdrawIn(WhoIn):
    reason: str | None = Field(default=None, max_length=2_000)


class ReopenIn(WhoIn):
    reason: str | None = Field(default=None, max_length=2_000)


class OutageIn(_In):
    title: str = Field(min_length=1, max_length=200)
    application: str | None = Field(default=None, max_length=100)
    municipalities: list[str] = Field(default_factory=list, max_length=50)
    description: str = Field(default="", max_length=MAX_TEXT)


class OutageUpdateIn(_In):
    description: str | None = Field(default=None, max_length=MAX_TEXT)
    # Closing resolves every linked open ticket: by this actor, with this note.
    close: bool = False
    actor: str = Field(default="servicedesk", min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=MAX_TEXT)


class OutageQuery(_In):
    application: str | None = Field(default=None, max_length=100)
    municipality: str | None = Field(default=None, max_length=100)


class BotResolutionIn(_In):
    topic: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9_/]+$")
    channel: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$")
    municipality: str | None = Field(default=None, max_length=100)
    helped: bool = True


class RouteIn(_In):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    municipality: str = Field(min_length=1, max_length=100)
    application: str | None = Field(default=None, max_length=100)
    type: TicketType | None = None


class StatusIn(_In):
    status: Status
    actor: str = Field(min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=MAX_TEXT)


class ForwardIn(_In):
    """Forward to the ticket's supplier by its method in the organisation file."""

    actor: str = Field(min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=MAX_TEXT)


class ReassignIn(_In):
    destination: str = Field(min_length=1, max_length=64)
    actor: str = Field(min_length=1, max_length=200)
    reason: str | None = Field(default=None, max_length=2_000)


class CommentIn(_In):
    author: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    to_reporter: bool = False


class TicketQuery(_In):
    municipality: str | None = Field(default=None, max_length=100)
    status: Status | None = None
    destination: str | None = Field(default=None, max_length=64)
    reporter_email: str | None = Field(default=None, max_length=254)
    open: bool = False
    q: str | None = Field(
        default=None,
        max_length=200,
        description="words in reference, title or description; % and _ match themselves",
    )
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class Alternative(BaseModel):
    destination: str
    confidence: float


class RouteOut(BaseModel):
    destination: str
    destination_name: str
    how: str
    confidence: float
    needs_review: bool
    alternatives: list[Alternative]
    reasons: list[str] = Field(description="the words that weighed most (waarom deze route?)")


class EventOut(BaseModel):
    at: datetime
    actor: str
    kind: str
    field: str | None
    old_value: str | None
    new_value: str | None
    note: str | None


class CommentOut(BaseModel):
    at: datetime
    author: str
    text: str
    to_reporter: bool


class BreachOut(BaseModel):
    """A data breach's 72-hour clock (calendar hours from discovery) and the FG's decision."""

    notify_deadline_at: datetime
    clock_running: bool  # until the AP was notified, or the FG decided not to report
    hours_left: float | None  # while running; negative once the deadline has passed
    decision: str | None  # report, no_report; None: undecided
    decision_reason: str | None
    decided_at: datetime | None
    decided_by: str | None
    ap_notified_at: datetime | None
    ap_reference: str | None


class OutageRef(BaseModel):
    """The known outage (major incident) a ticket is linked to: the assistant says so."""

    id: int
    title: str


class TicketOut(BaseModel):
    reference: str
    municipality: str
    reporter_email: str | None
    type: str
    application: str | None
    title: str
    description: str
    impact: str
    urgency: str
    priority: str
    destination: str
    destination_name: str
    how: str
    confidence: float
    needs_review: bool
    alternatives: list[Alternative]
    status: str
    supplier_reference: str | None
    response_due_at: datetime | None
    sla_due_at: datetime | None  # resolution; moved on by the time waited for the reporter
    sla_paused_seconds: int
    sla_state: str  # none, at_risk, breached (as marked by the SLA check)
    notify_deadline_at: datetime | None
    breach: BreachOut | None
    outage_id: int | None
    outage: OutageRef | None = None
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    # Set once the retention period passed: texts and reporter read "[geanonimiseerd]".
    anonymised_at: datetime | None = None


class MyTicketOut(BaseModel):
    reference: str
    title: str
    status: str
    destination_name: str
    application: str | None
    priority: str
    created_at: datetime
    updated_at: datetime
    sla_due_at: datetime | None
    notify_deadline_at: datetime | None
    # A data breach's 72-hour deadline while its clock runs (the AP not yet told, and no
    # decision not to report); None otherwise. The assistant says it in a status answer.
    ap_deadline_at: datetime | None = None
    resolved_at: datetime | None
    comments: list[CommentOut]


class MyTicketsOut(BaseModel):
    tickets: list[MyTicketOut]


class OutageOut(BaseModel):
    id: int
    application: str | None
    title: str
    description: str
    municipalities: list[str]
    status: str
    started_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class OutagesOut(BaseModel):
    outages: list[OutageOut]


class BotResolutionOut(BaseModel):
    recorded: bool


class TicketDetailOut(TicketOut):
    events: list[EventOut]
    comments: list[CommentOut]


class TicketPageOut(BaseModel):
    total: int
    limit: int
    offset: int
    tickets: list[TicketOut]


class CatalogueOut(BaseModel):
    name: str
    municipalities: list[dict]
    teams: list[dict]
    suppliers: list[dict]
    applications: list[dict]


class HealthOut(BaseModel):
    status: str


class ErrorOut(BaseModel):
    error: str


# Linking a chat account (Telegram) to a municipal e-mail address (router/api/linking.py).
LinkChannel = Literal["telegram"]


class LinkStartIn(_In):
    channel: LinkChannel
    sender_id: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254)


class LinkStartOut(BaseModel):
    # sent; invalid_email; unknown_domain; rate_limited; blocked; mail_unavailable
    result: str
    municipality: str | None = None
    retry_after: datetime | None = None


class LinkConfirmIn(_In):
    channel: LinkChannel
    sender_id: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=32)


class LinkConfirmOut(BaseModel):
    result: str  # linked; wrong_code; blocked; no_code
    email: str | None = None
    municipality: str | None = None
    tries_left: int = 0
    retry_after: datetime | None = None


class LinkOut(BaseModel):
    linked: bool
    email: str | None = None
    municipality: str | None = None


class ChannelUpdateIn(_In):
    channel: Literal["telegram", "msteams"]
    # Telegram: the update's number; Teams: a hex digest of conversation and activity id.
    update_id: str = Field(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")


class ChannelUpdateOut(BaseModel):
    first: bool  # False: a repeat, already handled


# --- A supplier's update of a ticket forwarded to it (issue 15) -----------------------------


class SupplierUpdateIn(_In):
    """What a supplier tells us: its own reference, a status (in_progress or resolved; not
    waiting, which staff decide), a note; at least one of them."""

    reference: str = Field(pattern=r"^[Mm]-\d{4}-\d{6}$")
    status: Literal["in_progress", "resolved"] | None = None
    supplier_reference: str | None = Field(default=None, min_length=1, max_length=100)
    note: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT)

    @model_validator(mode="after")
    def _something(self) -> SupplierUpdateIn:
        if self.status is None and self.supplier_reference is None and self.note is None:
            raise ValueError("give at least one of status, supplier_reference and note")
        return self


class SupplierUpdateOut(BaseModel):
    reference: str
    status: Status
    supplier_reference: str | None
