"""Handlers of the JSON API: small functions; the store does the work off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

import structlog
from aiohttp import web
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from router.api.errors import STARTED, BadRequest
from router.api.schemas import (
    CatalogueOut,
    CommentIn,
    ForwardIn,
    ReassignIn,
    RouteIn,
    RouteOut,
    StatusIn,
    TicketDetailOut,
    TicketIn,
    TicketOut,
    TicketPageOut,
    TicketQuery,
)
from router.domain import breach
from router.domain.org import Organisation
from router.domain.vocabulary import OutageStatus, RoutedHow
from router.keys import ENGINE, ORG, ROUTER
from router.routing.decision import RouteRequest
from router.routing.service import route_fields
from router.store import forwarding, outages
from router.store import tickets as store
from router.store.engine import in_transaction
from router.store.tables import Ticket, utcnow

log = structlog.get_logger()
routes = web.RouteTableDef()

# The action server waits 10 s for an answer; what is not committed 8 s after the request
# arrived is rolled back and answered 503, so that "failed" means "not stored".
REQUEST_DEADLINE_SECONDS = 8.0

# POST /api/tickets: the client's key for one ticket; a retry with it files nothing new.
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY = re.compile(r"[\x20-\x7e]{1,200}")
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


async def _body(request: web.Request, model: type[M]) -> M:
    raw = await request.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise web.HTTPBadRequest(text=f"body is not UTF-8 (byte {exc.start})") from None
    try:
        data = json.loads(text or "null")
    except RecursionError:
        raise web.HTTPBadRequest(text="body is nested too deeply") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    return model.model_validate(data)


async def _in_session(
    request: web.Request, work: Callable[[Session], T], *, write: bool = True
) -> T:
    """Store work in one transaction; `write=False` for reads. Work that is not done by
    the request's deadline is rolled back, not committed (see store/engine.py)."""
    return await in_transaction(request.app[ENGINE], work, write=write, deadline=_deadline(request))


def _deadline(request: web.Request) -> float:
    started = request.get(STARTED)
    if started is None:
        started = request[STARTED] = time.monotonic()
    return started + REQUEST_DEADLINE_SECONDS


def _reference(request: web.Request) -> str:
    reference = request.match_info["reference"].upper()
    if not store.REFERENCE.match(reference):
        raise BadRequest(
            f"'{request.match_info['reference']}' is not a ticket reference (M-YYYY-NNNNNN)"
        )
    return reference


def _breach_out(ticket: Ticket) -> dict | None:
    deadline = ticket.notify_deadline_at
    if deadline is None:
        return None
    running = breach.clock_running(deadline, ticket.breach_decision, ticket.ap_notified_at)
    return dict(
        notify_deadline_at=deadline,
        clock_running=running,
        hours_left=round(breach.hours_left(deadline, utcnow()), 2) if running else None,
        decision=ticket.breach_decision,
        decision_reason=ticket.breach_decision_reason,
        decided_at=ticket.breach_decided_at,
        decided_by=ticket.breach_decided_by,
        ap_notified_at=ticket.ap_notified_at,
        ap_reference=ticket.ap_reference,
    )


def _ticket_out(org: Organisation, session: Session, ticket: Ticket, detail: bool = False) -> dict:
    reporter = store.reporter_of(session, ticket)
    fields = dict(
        ticket.model_dump(),
        reporter_email=reporter.email,
        how=ticket.routed_how,
        confidence=ticket.route_confidence,
        alternatives=ticket.route_alternatives,
        destination_name=org.display_name(ticket.destination),
        breach=_breach_out(ticket),
        outage=_outage_of(session, ticket),
    )
    if not detail:
        return TicketOut.model_validate(fields).model_dump(mode="json")
    events = [e.model_dump() for e in store.ticket_events(session, ticket)]
    comments = [
        dict(c.model_dump(), at=c.created_at) for c in store.ticket_comments(session, ticket)
    ]
    return TicketDetailOut.model_validate(
        dict(fields, events=events, comments=comments)
    ).model_dump(mode="json")


def _outage_of(session: Session, ticket: Ticket) -> dict | None:
    """The open outage the ticket is linked to: a known problem, being worked on."""
    if ticket.outage_id is None:
        return None
    outage = outages.get_outage(session, ticket.outage_id)
    return {"id": outage.id, "title": outage.title} if outage.status == OutageStatus.open else None


@routes.get("/api/health")
async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/api/catalogue")
async def catalogue(request: web.Request) -> web.Response:
    org = request.app[ORG]
    return web.json_response(
        CatalogueOut(
            name=org.name,
            municipalities=[m.model_dump() for m in org.municipalities],
            teams=[t.model_dump() for t in org.teams],
            # How a supplier is reached (URLs, variable names) is none of the assistant's business.
            suppliers=[s.model_dump(exclude={"forwarding"}) for s in org.suppliers],
            applications=[a.model_dump() for a in org.applications],
        ).model_dump(mode="json")
    )


@routes.post("/api/route")
async def route_text(request: web.Request) -> web.Response:
    body = await _body(request, RouteIn)
    org = request.app[ORG]
    # A tenth of a millisecond of arithmetic: cheaper on the loop than a hop to a thread.
    route = request.app[ROUTER].route(
        RouteRequest(
            text=body.text,
            municipality=org.municipality_key(body.municipality),
            application=org.application_name(body.application),
            type=body.type,
        )
    )
    return web.json_response(
        RouteOut.model_validate(route_fields(org, route)).model_dump(mode="json")
    )


def _idempotency_key(request: web.Request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
        raise BadRequest(f"{IDEMPOTENCY_HEADER}: 1 to 200 printable ASCII characters")
    return key


def _digest(body: BaseModel) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _replay(request: web.Request, key: str, digest: str) -> dict | None:
    """The answer for a ticket an earlier request with this key created, if there is one."""
    org = request.app[ORG]

    def work(session: Session) -> dict | None:
        ticket = store.ticket_by_idempotency_key(session, key=key, request_digest=digest)
        return None if ticket is None else _ticket_out(org, session, ticket)

    return await _in_session(request, work, write=False)


@routes.post("/api/tickets")
async def create_ticket(request: web.Request) -> web.Response:
    key = _idempotency_key(request)
    body = await _body(request, TicketIn)
    digest = _digest(body)
    if key is not None and (stored := await _replay(request, key, digest)) is not None:
        return web.json_response(stored, status=200)  # a retry: the ticket already filed
    org = request.app[ORG]
    data = store.NewTicket(
        municipality=org.ticket_municipality(body.municipality, body.reporter.email),
        reporter=store.Reporter(**body.reporter.model_dump()),
        type=body.type,
        application=org.application_name(body.application),
        title=body.title,
        description=body.description,
        impact=body.impact,
        urgency=body.urgency,
        conversation=body.conversation,
        discovered_at=body.discovered_at,
    )
    route = await asyncio.to_thread(
        request.app[ROUTER].route,
        RouteRequest(
            text=f"{data.title}\n{data.description}",
            municipality=data.municipality,
            application=data.application,
            type=data.type,
        ),
    )

    # The route names the application it read from the words of the text (or of the work);
    # the assistant's guess from an everyday word ("word" for "wordt") gives way to it.
    decided_by_words = route.how in (RoutedHow.catalogue, RoutedHow.domain)
    if route.application != data.application and (decided_by_words or data.application is None):
        data = replace(data, application=route.application)

    def work(session: Session) -> dict:
        ticket = store.create_ticket(
            session,
            data=data,
            route=route,
            org=org,
            actor="assistant",
            idempotency_key=key,
            request_digest=digest if key is not None else None,
        )
        # A supplier with `auto: true` gets it at once when the router is sure enough.
        forwarding.auto_forward(session, ticket=ticket, org=org)
        return _ticket_out(org, session, ticket)

    try:
        out = await _in_session(request, work)
    except IntegrityError:
        # A request with the same key committed between our look-up and our insert.
        if key is None or (stored := await _replay(request, key, digest)) is None:
            raise
        return web.json_response(stored, status=200)
    log.info(
        "router.ticket.created",
        reference=out["reference"],
        destination=out["destination"],
        how=out["how"],
        municipality=out["municipality"],
        status=out["status"],  # forwarded: the supplier gets it automatically
    )
    return web.json_response(out, status=201)


@routes.get("/api/tickets")
async def list_tickets(request: web.Request) -> web.Response:
    query = TicketQuery.model_validate(dict(request.query))
    org = request.app[ORG]

    def work(session: Session) -> dict:
        page, total = store.list_tickets(
            session,
            municipality=org.municipality_key(query.municipality) if query.municipality else None,
            status=query.status,
            destination=query.destination,
            reporter_email=query.reporter_email,
            open_only=query.open,
            search=query.q,
            limit=query.limit,
            offset=query.offset,
        )
        return TicketPageOut.model_validate(
            dict(
                total=total,
                limit=query.limit,
                offset=query.offset,
                tickets=[_ticket_out(org, session, t) for t in page],
            )
        ).model_dump(mode="json")

    return web.json_response(await _in_session(request, work, write=False))


@routes.get("/api/tickets/{reference}")
async def get_ticket(request: web.Request) -> web.Response:
    reference, org = _reference(request), request.app[ORG]
    return web.json_response(
        await _in_session(
            request,
            lambda s: _ticket_out(org, s, store.get_ticket(s, reference), detail=True),
            write=False,
        )
    )


@routes.post("/api/tickets/{reference}/status")
async def change_status(request: web.Request) -> web.Response:
    reference, org = _reference(request), request.app[ORG]
    body = await _body(request, StatusIn)

    def work(session: Session) -> dict:
        ticket = store.change_status(
            session,
            reference=reference,
            status=body.status,
            actor=body.actor,
            note=body.note,
            org=org,
        )
        return _ticket_out(org, session, ticket)

    out = await _in_session(request, work)
    log.info("router.ticket.status", reference=reference, status=out["status"])
    return web.json_response(out)


@routes.post("/api/tickets/{reference}/forward")
async def forward(request: web.Request) -> web.Response:
    """Forward to the supplier by its method (e-mail, webhook, TOPdesk): status forwarded and
    the message in the outbox, in one transaction; `loket worker` delivers it."""
    reference, org = _reference(request), request.app[ORG]
    body = await _body(request, ForwardIn)

    def work(session: Session) -> dict:
        forwarding.forward(session, reference=reference, actor=body.actor, org=org,
                           note=body.note)  # fmt: skip
        return _ticket_out(org, session, store.get_ticket(session, reference))

    out = await _in_session(request, work)
    log.info("router.ticket.forwarded", reference=reference, destination=out["destination"])
    return web.json_response(out)


@routes.post("/api/tickets/{reference}/reassign")
async def reassign(request: web.Request) -> web.Response:
    reference, org = _reference(request), request.app[ORG]
    body = await _body(request, ReassignIn)

    def work(session: Session) -> dict:
        ticket = store.reassign(
            session,
            reference=reference,
            destination=body.destination,
            actor=body.actor,
            reason=body.reason,
            org=org,
        )
        return _ticket_out(org, session, ticket)

    out = await _in_session(request, work)
    log.info("router.ticket.reassigned", reference=reference, destination=out["destination"])
    return web.json_response(out)


@routes.post("/api/tickets/{reference}/comments")
async def add_comment(request: web.Request) -> web.Response:
    reference = _reference(request)
    body = await _body(request, CommentIn)

    def work(session: Session) -> dict:
        comment = store.add_comment(
            session,
            reference=reference,
            author=body.author,
            text=body.text,
            to_reporter=body.to_reporter,
        )
        return {
            "author": comment.author,
            "text": comment.text,
            "to_reporter": comment.to_reporter,
            "at": comment.created_at.isoformat(),
        }

    out = await _in_session(request, work)
    log.info("router.ticket.commented", reference=reference, to_reporter=out["to_reporter"])
    return web.json_response(out, status=201)
