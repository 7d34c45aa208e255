"""Forwarding a ticket to a supplier, and the supplier's updates coming back: pure rules.

What goes out is built here once, when the forward is written to the outbox: a readable Dutch
mail, the webhook's JSON, or a TOPdesk incident. Every message carries the forward's
idempotency key (the webhook's `Idempotency-Key` header, the mail's Message-ID, TOPdesk's
external number), so that a receiver can drop a repeat.

Signatures: HMAC-SHA256 with the supplier's own secret over `timestamp + "." + body`, hex, sent
as `X-Loket-Signature: sha256=<hex>` with `X-Loket-Timestamp: <unix seconds>`; valid within
SIGNATURE_WINDOW of the receiver's clock. Both directions sign the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from router.domain.org import (
    EmailForwarding,
    Organisation,
    Supplier,
    TopdeskForwarding,
    WebhookForwarding,
)
from router.domain.vocabulary import Status, TicketType

TIMESTAMP_HEADER = "X-Loket-Timestamp"
SIGNATURE_HEADER = "X-Loket-Signature"
SIGNATURE_WINDOW = timedelta(minutes=5)
METHOD_LABELS = {"email": "e-mail", "webhook": "webhook", "topdesk": "TOPdesk"}
# Channels of the outbox that carry forwards to suppliers.
FORWARD_CHANNELS = frozenset(METHOD_LABELS)
# What a supplier may tell us about a ticket's status. Not `waiting`: that stops the SLA clock
# and asks the reporter for information, which staff decide; a supplier asks in a note.
SUPPLIER_STATUSES = (Status.in_progress, Status.resolved)
REFERENCE_IN_SUBJECT = re.compile(r"\[(M-\d{4}-\d{6})\]")
# Never forwarded automatically: they belong to the collaboration's own teams anyway.
NEVER_AUTO = frozenset({TicketType.security_incident, TicketType.data_breach})


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of `timestamp.body` with the supplier's secret."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: str, body: bytes) -> str:
    return f"sha256={sign(secret, timestamp, body)}"


class BadSignature(Exception):
    """Why a signed request is refused (missing, stale or wrong); the message says which."""


def verify(secret: str, *, timestamp: str | None, signature: str | None, body: bytes,
           now: datetime) -> str:  # fmt: skip
    """The request's signature (hex) when it is signed by `secret` within the window."""
    if not timestamp or not signature:
        raise BadSignature(f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER}")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise BadSignature(f"{TIMESTAMP_HEADER} must be unix seconds")
    if abs(now.timestamp() - int(timestamp)) > SIGNATURE_WINDOW.total_seconds():
        raise BadSignature(f"{TIMESTAMP_HEADER} is more than 5 minutes from our clock")
    given = signature.removeprefix("sha256=").strip().lower()
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise BadSignature("signature does not match")
    return expected


def forward_key(reference: str, event_id: int) -> str:
    """The forward's idempotency key: one per forwarding action (its audit event)."""
    return f"{reference}/forward/{event_id}"


def message_id(key: str, domain: str) -> str:
    """A Message-ID derived from the idempotency key: a repeat has the same one."""
    local = ".".join(re.findall(r"[A-Za-z0-9-]+", key)) or "loket"
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return f"<{local}.{digest}@{domain}>"


def reply_address(reply_to: str, reference: str) -> str:
    """regie@example.org + M-2026-000123 -> regie+M-2026-000123@example.org."""
    local, _, domain = reply_to.partition("@")
    return f"{local}+{reference}@{domain}"


def reference_of_subject(subject: str | None) -> str | None:
    found = REFERENCE_IN_SUBJECT.search(subject or "")
    return found.group(1) if found else None


@dataclass(frozen=True)
class TicketFacts:
    """What a supplier gets to know of a ticket: the problem, not the reporter (the
    collaboration stays the supplier's contact; no names or addresses of employees)."""

    reference: str
    title: str
    description: str
    municipality: str  # its name
    application: str | None
    priority: str
    type: str
    created_at: datetime
    sla_due_at: datetime | None


@dataclass(frozen=True)
class Outgoing:
    channel: str  # email, webhook, topdesk
    recipient: str  # an address, or the supplier's key (its URL is read when sending)
    subject: str | None
    body: str


def _local(moment: datetime | None, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%d-%m-%Y %H:%M") if moment else "-"


def _subject(facts: TicketFacts) -> str:
    title = " ".join(facts.title.split())
    return f"[{facts.reference}] Melding van {facts.municipality}: {title}"[:200]


def mail_text(facts: TicketFacts, supplier: Supplier, org: Organisation) -> str:
    zone = org.sla.timezone
    return (
        f"Beste {supplier.name},\n\n"
        f"{org.name} zet de volgende melding aan u door met het verzoek deze op te pakken.\n\n"
        f"Onze referentie: {facts.reference}\n"
        f"Gemeente: {facts.municipality}\n"
        f"Applicatie: {facts.application or '-'}\n"
        f"Prioriteit: {facts.priority}\n"
        f"Gemeld op: {_local(facts.created_at, zone)}\n"
        f"Gewenst opgelost vóór: {_local(facts.sla_due_at, zone)}\n\n"
        f"Onderwerp: {facts.title}\n\n"
        f"Omschrijving:\n{facts.description}\n\n"
        f"Wilt u bij een antwoord op deze e-mail uw eigen meldingsnummer noemen en de "
        f"referentie {facts.reference} in het onderwerp laten staan? Antwoorden komen via het "
        f"antwoordadres bij ons regieteam terecht.\n\n"
        f"Met vriendelijke groet,\n{org.name}\n"
    )


def webhook_payload(facts: TicketFacts, supplier: Supplier, org: Organisation) -> dict:
    return {
        "event": "ticket.forwarded",
        "supplier": supplier.key,
        "reference": facts.reference,
        "title": facts.title,
        "description": facts.description,
        "municipality": facts.municipality,
        "application": facts.application,
        "priority": facts.priority,
        "type": facts.type,
        "created_at": facts.created_at.isoformat(),
        "sla_due_at": facts.sla_due_at.isoformat() if facts.sla_due_at else None,
        "from": org.name,
    }


def topdesk_incident(
    facts: TicketFacts, forwarding: TopdeskForwarding, org: Organisation, key: str
) -> dict:
    """TOPdesk's POST /tapi/incidents body: the caller, a brief description (80 characters at
    most in TOPdesk), the request text, and our key as external number."""
    caller: dict = (
        {"callerLookup": {"email": forwarding.caller_email}}
        if forwarding.caller_email
        else {"caller": {"dynamicName": org.name[:100]}}
    )
    request = (
        f"Melding {facts.reference} van {org.name}\n"
        f"Gemeente: {facts.municipality}\nApplicatie: {facts.application or '-'}\n"
        f"Prioriteit: {facts.priority}\n\n{facts.description}"
    )
    return {
        **caller,
        "briefDescription": f"{facts.reference} {facts.title}"[:80],
        "request": request,
        "externalNumber": key[:60],
    }


def outgoing(facts: TicketFacts, supplier: Supplier, org: Organisation, key: str) -> Outgoing:
    """The message that forwards the ticket by the supplier's method."""
    forwarding = supplier.forwarding
    if isinstance(forwarding, EmailForwarding):
        return Outgoing(
            "email", str(forwarding.address), _subject(facts), mail_text(facts, supplier, org)
        )
    if isinstance(forwarding, WebhookForwarding):
        body = json.dumps(webhook_payload(facts, supplier, org), ensure_ascii=False)
        return Outgoing("webhook", supplier.key, None, body)
    if isinstance(forwarding, TopdeskForwarding):
        body = json.dumps(topdesk_incident(facts, forwarding, org, key), ensure_ascii=False)
        return Outgoing("topdesk", supplier.key, _subject(facts), body)
    raise ValueError(f"supplier {supplier.key} has no forwarding method")


def unset_secrets(org: Organisation, environ: Mapping[str, str]) -> list[str]:
    """The environment variables the organisation file names that hold nothing."""
    names = []
    for supplier in org.suppliers:
        forwarding = supplier.forwarding
        if forwarding is None:
            continue
        names.append(forwarding.secret_env)
        if isinstance(forwarding, TopdeskForwarding):
            names.append(forwarding.password_env)
    return sorted({n for n in names if n and not environ.get(n)})


def auto_forward_to(
    org: Organisation, *, destination: str, confidence: float, needs_review: bool, type: str
) -> Supplier | None:
    """The supplier a new ticket goes to without staff, if its route is sure enough."""
    supplier = org.supplier(destination)
    if supplier is None or supplier.forwarding is None or not supplier.forwarding.auto:
        return None
    if needs_review or type in NEVER_AUTO:
        return None
    return supplier if confidence >= org.forwarding.auto_min_confidence else None
