"""Employee self-service and known outages, called by the assistant's action server.

The action server authenticates with the service token and says which employee it acts
for; an employee only ever reaches their own tickets.
"""

from __future__ import annotations

import structlog
from aiohttp import web
from sqlmodel import Session

from router.api.schemas import (
    BotResolutionIn,
    MyTicketOut,
    MyTicketsQuery,
    OutageIn,
    OutageOut,
    OutageQuery,
    OutageUpdateIn,
    ReopenIn,
    WhoIn,
    WithdrawIn,
)
from router.api.tickets import _body, _in_session, _reference
from router.domain import breach
from router.domain.org import Organisation
from router.keys import ORG
from router.store import major_incidents, outages, self_service
from router.store.tables import Employee, Outage, Ticket

log = structlog.get_logger()
routes = web.RouteTableDef()


def _who(session: Session, who: WhoIn) -> Employee | None:
    return self_service.find_employee(
        session, email=who.email, channel=who.channel, sender_id=who.sender_id
    )


def _my_ticket_out(org: Organisation, session: Session, ticket: Ticket) -> dict:
    comments = [
        {"at": c.created_at, "author": c.author, "text": c.text, "to_reporter": True}
        for c in self_service.comments_to_reporter(session, ticket)
    ]
    deadline = ticket.notify_deadline_at
    running = deadline is not None and breach.clock_running(
        deadline, ticket.breach_decision, ticket.ap_notified_at
    )
    return MyTicketOut.model_validate(
        dict(
            ticket.model_dump(),
            destination_name=org.display_name(ticket.destination),
            ap_deadline_at=deadline if running else None,
            comments=comments,
        )
    ).model_dump(mode="json")


@routes.get("/api/my/tickets")
async def my_tickets(request: web.Request) -> web.Response:
    query = MyTicketsQuery.model_validate(dict(request.query))
    org = request.app[ORG]

    def work(session: Session) -> dict:
        tickets = self_service.own_tickets(
            session, employee=_who(session, query), open_only=not query.all
        )
        return {"tickets": [_my_ticket_out(org, session, t) for t in tickets]}

    return web.json_response(await _in_session(request, work, write=False))


@routes.get("/api/my/tickets/{reference}")
async def my_ticket(request: web.Request) -> web.Response:
    reference, org = _reference(request), request.app[ORG]
    who = WhoIn.model_validate(dict(request.query))

    def work(session: Session) -> dict:
        ticket = self_service.own_ticket(session, employee=_who(session, who), reference=reference)
        return _my_ticket_out(org, session, ticket)

    return web.json_response(await _in_session(request, work, write=False))


@routes.post("/api/my/tickets/{reference}/withdraw")
async def withdraw(request: web.Request) -> web.Response:
    reference, org = _reference(request), request.app[ORG]
    body = await _body(request, WithdrawIn)

    def work(session: Session) -> dict:
        ticket = self_service.withdraw(
            session, employee=_who(session, body), reference=reference, reason=body.reason
        )
        return _my_ticket_out(org, session, ticket)

    out = await _in_session(request, work)
    log.info("router.ticket.withdrawn", reference=reference)
    return web.json_response(out)


@routes.post("/api/my/tickets/{reference}/reopen")
async def reopen(request: web.Request) -> web.Response:
    reference, org = _reference(request), request.app[ORG]
    body = await _body(request, ReopenIn)

    def work(session: Session) -> dict:
        ticket = self_service.reopen(
            session, employee=_who(session, body), reference=reference, reason=body.reason
        )
        return _my_ticket_out(org, session, ticket)

    out = await _in_session(request, work)
    log.info("router.ticket.reopened_by_reporter", reference=reference)
    return web.json_response(out)


def _outage_out(outage: Outage) -> dict:
    return OutageOut.model_validate(outage.model_dump()).model_dump(mode="json")


@routes.get("/api/outages")
async def list_outages(request: web.Request) -> web.Response:
    query = OutageQuery.model_validate(dict(request.query))
    org = request.app[ORG]
    application = org.application_name(query.application)
    municipality = org.municipality_key(query.municipality) if query.municipality else None
    found = await _in_session(
        request,
        lambda s: [
            _outage_out(o)
            for o in outages.current_outages(s, application=application, municipality=municipality)
        ],
        write=False,
    )
    return web.json_response({"outages": found})


@routes.post("/api/outages")
async def open_outage(request: web.Request) -> web.Response:
    body = await _body(request, OutageIn)
    org = request.app[ORG]
    application = org.application_name(body.application)
    municipalities = [org.municipality_key(m) for m in body.municipalities]
    out = await _in_session(
        request,
        lambda s: _outage_out(
            outages.open_outage(
                s,
                title=body.title,
                application=application,
                municipalities=municipalities,
                description=body.description,
            )
        ),
    )
    log.info("router.outage.opened", outage=out["id"], application=application)
    return web.json_response(out, status=201)


@routes.post("/api/outages/{outage_id:\\d+}")
async def update_outage(request: web.Request) -> web.Response:
    outage_id = int(request.match_info["outage_id"])
    body = await _body(request, OutageUpdateIn)
    org = request.app[ORG]

    def work(session: Session) -> tuple[dict, int]:
        outage = outages.update_outage(session, outage_id=outage_id, description=body.description)
        resolved = []
        if body.close:  # every linked open ticket is resolved, its reporter told
            resolved = major_incidents.close_outage(
                session, outage_id=outage_id, actor=body.actor, org=org, note=body.note
            )
        return _outage_out(outage), len(resolved)

    out, resolved = await _in_session(request, work)
    log.info("router.outage.updated", outage=outage_id, status=out["status"], resolved=resolved)
    return web.json_response(out)


@routes.post("/api/bot-resolutions")
async def bot_resolution(request: web.Request) -> web.Response:
    body = await _body(request, BotResolutionIn)
    org = request.app[ORG]
    municipality = org.municipality_key(body.municipality) if body.municipality else None
    await _in_session(
        request,
        lambda s: outages.record_bot_resolution(
            s, topic=body.topic, channel=body.channel, municipality=municipality, helped=body.helped
        ),
    )
    log.info("router.bot.resolution", topic=body.topic, helped=body.helped)
    return web.json_response({"recorded": True}, status=201)
