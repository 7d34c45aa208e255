"""Updates from suppliers about tickets forwarded to them: `POST /api/suppliers/{key}/updates`.

No bearer token: each request is signed by the supplier (HMAC-SHA256 over `timestamp + "." +
body` with the supplier's own secret, from the environment variable its organisation-file entry
names; router/domain/forwarding.py). Refused, changing nothing: unsigned, wrongly signed or
outside five minutes of our clock 401; the same signed request again (a replay) 409; a body
that is not a valid update 422; an unknown supplier, or a ticket not forwarded to this supplier
404. Signatures are remembered in the store with the change they made, so every service
process refuses a replay. Log lines carry the supplier key and ticket reference only.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import structlog
from aiohttp import web
from pydantic import ValidationError
from sqlmodel import Session

from router.api.errors import BadRequest, describe_validation, error
from router.api.schemas import SupplierUpdateIn, SupplierUpdateOut
from router.api.tickets import _in_session
from router.domain import forwarding as rules
from router.domain.errors import Conflict
from router.domain.vocabulary import Status
from router.keys import ORG
from router.store import supplier_updates

log = structlog.get_logger()
routes = web.RouteTableDef()


class Replayed(Conflict):
    def __init__(self) -> None:
        super().__init__("this signed request was received before (a replay); sign each anew")


def _parse(raw: bytes) -> SupplierUpdateIn:
    try:
        data = json.loads(raw.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("body is not a UTF-8 JSON object") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    try:
        return SupplierUpdateIn.model_validate(data)
    except ValidationError as exc:
        raise BadRequest(describe_validation(exc)) from None


@routes.post("/api/suppliers/{key}/updates")
async def supplier_update(request: web.Request) -> web.Response:
    key, org = request.match_info["key"], request.app[ORG]
    supplier = org.supplier(key)
    secret_env = supplier.forwarding.secret_env if supplier and supplier.forwarding else None
    if secret_env is None:
        return error(404, f"no supplier '{key}' that sends updates")
    secret = os.environ.get(secret_env, "")
    if not secret:
        log.error("router.supplier.update_unconfigured", supplier=key)
        return error(503, "updates from this supplier are not configured yet; try again later")
    raw = await request.read()
    now = datetime.now(UTC)
    try:
        signature = rules.verify(
            secret,
            timestamp=request.headers.get(rules.TIMESTAMP_HEADER),
            signature=request.headers.get(rules.SIGNATURE_HEADER),
            body=raw,
            now=now,
        )
    except rules.BadSignature as exc:
        log.warning("router.supplier.update_refused", supplier=key, reason="signature")
        return error(401, str(exc))
    update = _parse(raw)

    def work(session: Session) -> SupplierUpdateOut:
        taken = supplier_updates.remember_signature(
            session, supplier=key, signature=signature, now=now
        )
        if not taken:
            raise Replayed()
        ticket = supplier_updates.supplier_update(
            session,
            supplier=key,
            reference=update.reference.upper(),
            org=org,
            status=Status(update.status) if update.status else None,
            supplier_reference=update.supplier_reference,
            note=update.note,
        )
        return SupplierUpdateOut(
            reference=ticket.reference,
            status=Status(ticket.status),
            supplier_reference=ticket.supplier_reference,
        )

    try:
        out = await _in_session(request, work)
    except Replayed:
        log.warning("router.supplier.update_refused", supplier=key, reason="replay")
        raise
    log.info(
        "router.supplier.updated", supplier=key, reference=out.reference, status=out.status
    )
    return web.json_response(out.model_dump(mode="json"))
