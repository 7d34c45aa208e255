"""Messages that could not be delivered after the last try (forwards to suppliers, news for
reporters): flagged in the outbox, listed here for staff to follow up (issue 15)."""

from __future__ import annotations

from aiohttp import web

from router.domain.forwarding import METHOD_LABELS
from router.store import forwarding
from router.workspace.web import in_session, render, scope_of

routes = web.RouteTableDef()
CHANNEL_LABELS = {**METHOD_LABELS, "telegram": "Telegram (melder)"}


@routes.get("/afleveringen", name="deliveries")
async def deliveries(request: web.Request) -> web.Response:
    scope = scope_of(request)
    rows = await in_session(
        request, lambda s: forwarding.flagged_with_tickets(s, municipality=scope.municipality)
    )
    return render(request, "deliveries.html", rows=rows, channel_labels=CHANNEL_LABELS)
