"""Major incidents in the workspace: the prompt when several tickets about one application
arrive at once, opening a major incident with those tickets, and linking a ticket to an open
outage. Servicedesk staff and admins only (coordinators do not manage outages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import structlog
from aiohttp import web
from sqlmodel import Session

from router.domain.lifecycle import OPEN_STATUSES
from router.logs import pseudonym
from router.routing.similarity import similar
from router.store import major_incidents
from router.store.queues import Scope
from router.store.tables import Ticket, flushed_id, utcnow
from router.workspace.forms import back_to, reference_of
from router.workspace.operations import FormError
from router.workspace.views_admin import _manager
from router.workspace.web import in_session, org_of, scope_of, see_other, text_field

log = structlog.get_logger()
routes = web.RouteTableDef()


@dataclass(frozen=True)
class Burst:
    """Tickets about one application that arrived within the organisation's window."""

    application: str
    minutes: int
    references: list[str]

    @property
    def title(self) -> str:
        return f"Storing {self.application}"


def bursts(session: Session, scope: Scope, *, tickets: int, minutes: int) -> list[Burst]:
    """The prompts for this staff member: none for a coordinator, who opens no outages."""
    if not scope.can_manage_outages:
        return []
    found = major_incidents.bursts(session, now=utcnow(), tickets=tickets, minutes=minutes)
    return [Burst(group[0].application or "", minutes, [t.reference for t in group])
            for group in found]  # fmt: skip


def bursts_of(request: web.Request, session: Session) -> list[Burst]:
    window = org_of(request).major_incident
    return bursts(session, scope_of(request), tickets=window.tickets, minutes=window.minutes)


SIMILAR_SINCE = timedelta(days=1)


def similar_to(session: Session, scope: Scope, ticket: Ticket) -> list[tuple[Ticket, float]]:
    """Open, unlinked tickets of the last day that read like this one ("lijkt op"), with
    their cosine: to link to this ticket's outage or to open a major incident with."""
    if not scope.can_manage_outages or ticket.status not in OPEN_STATUSES:
        return []
    candidates = major_incidents.similarity_candidates(
        session, ticket=ticket, since=utcnow() - SIMILAR_SINCE
    )
    found = similar(_text(ticket), [_text(c) for c in candidates])
    return [(candidates[i], score) for i, score in found]


def _text(ticket: Ticket) -> str:
    return f"{ticket.title}\n{ticket.description}"


@routes.post("/storingen/groot", name="major_incident_open")
async def open_major_incident(request: web.Request) -> web.Response:
    scope = _manager(request)
    form = await request.post()
    references = [reference_of(r) for r in form.getall("ref", []) if isinstance(r, str)][:200]
    title = text_field(form, "titel", 200)
    if not title:
        raise FormError("Geef de grote storing een titel.")

    def work(session: Session) -> int:
        outage = major_incidents.open_major_incident(
            session, title=title, references=references, actor=scope.username,
            description=text_field(form, "beschrijving") or "",
        )  # fmt: skip
        return flushed_id(outage.id)

    outage_id = await in_session(request, work)
    log.info(
        "router.workspace.major_incident_opened", outage=outage_id, tickets=len(references),
        staff=pseudonym(scope.username),
    )  # fmt: skip
    return see_other(f"/staff/storingen?ok=grote-storing#storing-{outage_id}")


@routes.post("/meldingen/{reference}/koppelen", name="ticket_link")
async def link_ticket(request: web.Request) -> web.Response:
    scope = _manager(request)
    reference = reference_of(request.match_info["reference"])
    form = await request.post()
    given = text_field(form, "storing", 12) or ""
    if not given.isdigit():
        raise FormError("Kies een open storing.")

    def work(session: Session) -> Ticket:
        return major_incidents.link_ticket(
            session, outage_id=int(given), reference=reference, actor=scope.username
        )

    await in_session(request, work)
    log.info(
        "router.workspace.linked", reference=reference, outage=int(given),
        staff=pseudonym(scope.username),
    )  # fmt: skip
    page = f"/staff/meldingen/{reference}"
    back = back_to(text_field(form, "terug", 1000), page)
    return see_other(f"{back}{'&' if '?' in back else '?'}ok=gekoppeld")
