"""The words every layer shares: ticket type and status, how a route came about, staff roles,
audit event kinds and outage status. Stored as their string values."""

from __future__ import annotations

from enum import StrEnum


class TicketType(StrEnum):
    incident = "incident"
    request = "request"
    question = "question"
    security_incident = "security_incident"
    data_breach = "data_breach"
    callback = "callback"  # the employee asked for a person (human handoff)


class Status(StrEnum):
    new = "new"
    routed = "routed"
    forwarded = "forwarded"
    in_progress = "in_progress"
    waiting = "waiting"
    resolved = "resolved"
    closed = "closed"
    reopened = "reopened"
    withdrawn = "withdrawn"


class RoutedHow(StrEnum):
    rule = "rule"
    catalogue = "catalogue"
    domain = "domain"  # the work of an application domain named in the text (paspoort, Wmo)
    model = "model"
    triage = "triage"
    staff = "staff"


# How a route came about, in the words the staff workspace and the audit trail use.
ROUTED_HOW_LABELS = {
    RoutedHow.rule: "vaste regel",
    RoutedHow.catalogue: "applicatiecatalogus",
    RoutedHow.domain: "werkdomein (vakwoorden)",
    RoutedHow.model: "tekstmodel",
    RoutedHow.triage: "triage (te beoordelen)",
    RoutedHow.staff: "servicedesk",
}


class Role(StrEnum):
    servicedesk = "servicedesk"
    coordinator = "coordinator"  # sees only their own municipality
    admin = "admin"


class EventKind(StrEnum):
    """What an entry of a ticket's audit trail records."""

    created = "created"
    routed = "routed"
    status = "status"
    reassigned = "reassigned"
    reviewed = "reviewed"
    comment = "comment"
    forwarded = "forwarded"
    delivery = "delivery"  # a message to a supplier or the reporter delivered, or given up on
    sla = "sla"  # a clock marked at risk or breached
    privacy = "privacy"  # the FG told, reminded, escalated; its decision; the AP notified
    linked = "linked"  # linked to a known outage or major incident


class BreachDecision(StrEnum):
    """The privacy officer's decision on a data breach."""

    report = "report"  # notify the Autoriteit Persoonsgegevens
    no_report = "no_report"


class OutageStatus(StrEnum):
    open = "open"
    closed = "closed"
