"""Linking a Telegram account to a municipal e-mail address, and Telegram updates handled
once; called by the assistant (its scoped token) and by the Telegram channel in Rasa.

The code goes out by e-mail from here (SMTP settings) and only its digest is stored. Log
lines name outcomes, never an address, a code or a chat id.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import structlog
from aiohttp import web
from sqlmodel import Session

from router.api.schemas import (
    ChannelUpdateIn,
    ChannelUpdateOut,
    LinkConfirmIn,
    LinkConfirmOut,
    LinkOut,
    LinkStartIn,
    LinkStartOut,
)
from router.api.tickets import _body, _in_session
from router.channels.base import SendFailed
from router.channels.mail import Mailer, code_mail, mailer_from
from router.keys import ORG, SETTINGS
from router.settings import Settings
from router.store import linking

log = structlog.get_logger()
routes = web.RouteTableDef()
EMAIL = re.compile(r"^[^@\s]{1,64}@[a-z0-9.-]+\.[a-z]{2,}$")


def _now() -> datetime:
    return datetime.now(UTC)


def mailer(settings: Settings) -> Mailer | None:
    return mailer_from(settings)


def _json(
    model: LinkStartOut | LinkConfirmOut | LinkOut | ChannelUpdateOut, status: int = 200
) -> web.Response:
    return web.json_response(model.model_dump(mode="json"), status=status)


@routes.post("/api/links/start")
async def start(request: web.Request) -> web.Response:
    """Mail a one-time code to the address, when its domain is a municipality's."""
    body = await _body(request, LinkStartIn)
    org, email = request.app[ORG], body.email.strip().lower()
    if not EMAIL.match(email):
        return _json(LinkStartOut(result="invalid_email"))
    municipality_key = org.municipality_of_email(email)
    municipality = org.municipality(municipality_key) if municipality_key else None
    if municipality is None:
        log.info("router.link.refused", reason="unknown_domain")
        return _json(LinkStartOut(result="unknown_domain"))
    sender = mailer(request.app[SETTINGS])
    if sender is None:
        log.error("router.link.mail_unavailable", reason="LOKET_SMTP_HOST not set")
        return _json(LinkStartOut(result="mail_unavailable"))
    asked = await _in_session(
        request,
        lambda s: linking.request_code(
            s, channel=body.channel, sender_id=body.sender_id, email=email, now=_now()
        ),
    )
    if asked.code is None:
        log.info("router.link.refused", reason=asked.result)
        return _json(LinkStartOut(result=asked.result, retry_after=asked.retry_after))
    subject, text = code_mail(asked.code, municipality.name)
    try:
        await asyncio.to_thread(sender.send, to=email, subject=subject, text=text)
    except SendFailed as exc:
        log.error("router.link.mail_failed", error=exc.reason)
        return _json(LinkStartOut(result="mail_unavailable"))
    log.info("router.link.code_sent", municipality=municipality.key)
    return _json(LinkStartOut(result="sent", municipality=municipality.name))


@routes.post("/api/links/confirm")
async def confirm(request: web.Request) -> web.Response:
    """The code typed in the chat: right links the account, wrong counts (three: a block)."""
    body = await _body(request, LinkConfirmIn)
    org = request.app[ORG]

    def work(session: Session) -> LinkConfirmOut:
        # The municipality of a new employee record comes from the address the code went to.
        pending = linking.pending_email(session, channel=body.channel, sender_id=body.sender_id)
        key = org.municipality_of_email(pending) or ""
        outcome = linking.confirm_code(
            session, channel=body.channel, sender_id=body.sender_id, code=body.code,
            municipality=key, now=_now(),
        )  # fmt: skip
        employee = outcome.employee
        found = (
            org.municipality(employee.municipality) if employee and employee.municipality else None
        )
        return LinkConfirmOut(
            result=outcome.result,
            email=employee.email if employee else None,
            municipality=found.name if found else None,
            tries_left=outcome.tries_left,
            retry_after=outcome.retry_after,
        )

    out = await _in_session(request, work)
    log.info("router.link.confirm", result=out.result)
    return _json(out)


@routes.get("/api/links/{channel}/{sender_id}")
async def linked(request: web.Request) -> web.Response:
    """Who a chat account is linked to; the Telegram channel asks with every message."""
    channel, sender_id = request.match_info["channel"], request.match_info["sender_id"]
    org = request.app[ORG]

    def work(session: Session) -> LinkOut:
        employee = linking.linked_employee(session, channel=channel, sender_id=sender_id)
        if employee is None:
            return LinkOut(linked=False)
        found = org.municipality(employee.municipality) if employee.municipality else None
        return LinkOut(linked=True, email=employee.email,
                       municipality=found.name if found else None)  # fmt: skip

    return _json(await _in_session(request, work, write=False))


@routes.post("/api/channel-updates")
async def claim_update(request: web.Request) -> web.Response:
    """201 the first time a platform's update arrives, 200 with first=false for a repeat."""
    body = await _body(request, ChannelUpdateIn)
    first = await _in_session(
        request,
        lambda s: linking.claim_update(
            s, channel=body.channel, update_id=body.update_id, now=_now()
        ),
    )
    if not first:
        log.info("router.channel.update_repeated", channel=body.channel)
    return _json(ChannelUpdateOut(first=first), status=201 if first else 200)


@routes.delete("/api/channel-updates/{channel}/{update_id}")
async def release_update(request: web.Request) -> web.Response:
    """Handling the update failed: let the platform's retry through."""
    channel, update_id = request.match_info["channel"], request.match_info["update_id"]
    await _in_session(
        request, lambda s: linking.release_update(s, channel=channel, update_id=update_id)
    )
    return _json(ChannelUpdateOut(first=False))
