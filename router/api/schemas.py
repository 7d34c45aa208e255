"""Request and response bodies of the JSON API; they also make its OpenAPI description."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from router.models import Status, TicketType

MAX_TEXT = 10_000
Level = Literal["low", "medium", "high"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReporterIn(_In):
    channel: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$")
    sender_id: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    name: str | None = Field(default=None, max_length=200)


class TicketIn(_In):
    municipality: str = Field(min_length=1, max_length=100, description="key (DYK) or name")
    reporter: ReporterIn
    type: TicketType = TicketType.incident
    application: str | None = Field(default=None, max_length=100)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=MAX_TEXT)
    impact: Level = "low"
    urgency: Level = "medium"
    conversation: str | None = Field(default=None, max_length=2 * MAX_TEXT)


class RouteIn(_In):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    municipality: str = Field(min_length=1, max_length=100)
    application: str | None = Field(default=None, max_length=100)
    type: TicketType | None = None


class StatusIn(_In):
    status: Status
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
    municipality: str | None = None
    status: Status | None = None
    destination: str | None = None
    reporter_email: str | None = None
    open: bool = False
    q: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0)


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
    sla_due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None


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
