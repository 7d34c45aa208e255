"""Each view of a ticket's contents goes into the access log (issue 17), with why: derived
from the `?via=` of the link that led there (the queues and the search results add it)."""

from __future__ import annotations

import structlog
from aiohttp import web

from router.domain.access_log import AccessWhy, why_of_via
from router.keys import ENGINE
from router.logs import pseudonym
from router.store.access_log import record_access
from router.store.engine import in_transaction
from router.store.tables import Ticket
from router.workspace.web import scope_of

log = structlog.get_logger()

def why_of(request: web.Request) -> AccessWhy:
    return why_of_via(request.query.get("via"))


def page_of(ticket: Ticket, why: AccessWhy) -> str:
    """The ticket's page, keeping why it was opened: where its forms come back to."""
    page = f"/staff/meldingen/{ticket.reference}"
    return f"{page}?via={why}" if why != AccessWhy.link else page


async def log_view(request: web.Request, ticket: Ticket) -> AccessWhy:
    """One entry for this staff member's view of `ticket`, before the page is shown: a view
    that cannot be logged is not shown (a write of its own, after the page's read)."""
    why, staff = why_of(request), scope_of(request).username
    await in_transaction(
        request.config_dict[ENGINE],
        lambda session: record_access(session, staff=staff, tickets=[ticket], why=why),
    )
    log.info("router.workspace.ticket_viewed", reference=ticket.reference, why=str(why),
             staff=pseudonym(staff))  # fmt: skip
    return why
