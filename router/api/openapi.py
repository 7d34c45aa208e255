"""The OpenAPI description of the JSON API, from the pydantic models it validates with."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from pydantic import BaseModel

from router.api import schemas as s
from router.api.auth import ASSISTANT_MAY_CALL, PUBLIC_PATHS, SUPPLIER_SIGNED
from router.domain.forwarding import SIGNATURE_HEADER, TIMESTAMP_HEADER


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    response: type[BaseModel]
    status: int = 200
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    idempotent: bool = False  # takes an Idempotency-Key header


IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "The client's key for this request: a retry with the same key and body "
    "returns the ticket filed before (200) instead of a second one; the same key with "
    "another body is refused (422).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[ -~]+$"},
}


SIGNATURE_PARAMETERS = [
    {
        "name": TIMESTAMP_HEADER,
        "in": "header",
        "required": True,
        "description": "Unix seconds; refused more than 5 minutes from the service's clock.",
        "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
    },
    {
        "name": SIGNATURE_HEADER,
        "in": "header",
        "required": True,
        "description": "sha256=<hex HMAC-SHA256 of timestamp + '.' + body, with the "
        "supplier's secret>; a signature seen before is a replay (409).",
        "schema": {"type": "string", "maxLength": 100},
    },
]


OPERATIONS = [
    Operation("GET", "/api/health", "Health check (public)", s.HealthOut),
    Operation("GET", "/api/openapi.json", "This description (public)", s.HealthOut),
    Operation(
        "GET",
        "/api/catalogue",
        "The organisation: municipalities, teams, suppliers, applications",
        s.CatalogueOut,
    ),
    Operation(
        "POST", "/api/route", "Route a text without creating a ticket", s.RouteOut, body=s.RouteIn
    ),
    Operation(
        "POST",
        "/api/tickets",
        "Create a ticket; it is routed at once",
        s.TicketOut,
        201,
        body=s.TicketIn,
        idempotent=True,
    ),
    Operation(
        "GET",
        "/api/tickets",
        "List and filter tickets, newest first",
        s.TicketPageOut,
        query=s.TicketQuery,
    ),
    Operation(
        "GET",
        "/api/tickets/{reference}",
        "One ticket with its audit trail and comments",
        s.TicketDetailOut,
    ),
    Operation(
        "POST",
        "/api/tickets/{reference}/status",
        "Change the status (state machine)",
        s.TicketOut,
        body=s.StatusIn,
    ),
    Operation(
        "POST",
        "/api/tickets/{reference}/forward",
        "Forward to the supplier by its method (e-mail, webhook, TOPdesk) through the outbox",
        s.TicketOut,
        body=s.ForwardIn,
    ),
    Operation(
        "POST",
        "/api/tickets/{reference}/reassign",
        "Send to another team or supplier",
        s.TicketOut,
        body=s.ReassignIn,
    ),
    Operation(
        "GET",
        "/api/my/tickets",
        "An employee's own tickets (open, or all)",
        s.MyTicketsOut,
        query=s.MyTicketsQuery,
    ),
    Operation(
        "GET",
        "/api/my/tickets/{reference}",
        "One of the employee's own tickets",
        s.MyTicketOut,
        query=s.WhoIn,
    ),
    Operation(
        "POST",
        "/api/my/tickets/{reference}/withdraw",
        "Withdraw one's own ticket",
        s.MyTicketOut,
        body=s.WithdrawIn,
    ),
    Operation(
        "POST",
        "/api/my/tickets/{reference}/reopen",
        "Reopen one's own resolved ticket (it is not solved after all)",
        s.MyTicketOut,
        body=s.ReopenIn,
    ),
    Operation("GET", "/api/outages", "Open known outages", s.OutagesOut, query=s.OutageQuery),
    Operation("POST", "/api/outages", "Announce a known outage", s.OutageOut, 201, body=s.OutageIn),
    Operation(
        "POST",
        "/api/outages/{outage_id}",
        "Update or close an outage",
        s.OutageOut,
        body=s.OutageUpdateIn,
    ),
    Operation(
        "POST",
        "/api/bot-resolutions",
        "Count a question the bot answered alone",
        s.BotResolutionOut,
        201,
        body=s.BotResolutionIn,
    ),
    Operation(
        "POST",
        "/api/tickets/{reference}/comments",
        "Add a comment, internal or to the reporter",
        s.CommentOut,
        201,
        body=s.CommentIn,
    ),
    Operation(
        "POST",
        "/api/links/start",
        "Mail a one-time code that links a chat account",
        s.LinkStartOut,
        body=s.LinkStartIn,
    ),
    Operation(
        "POST",
        "/api/links/confirm",
        "Check the code; right links the chat account",
        s.LinkConfirmOut,
        body=s.LinkConfirmIn,
    ),
    Operation(
        "GET", "/api/links/{channel}/{sender_id}", "Who a chat account is linked to", s.LinkOut
    ),
    Operation(
        "POST",
        "/api/channel-updates",
        "Take a chat update once (201; a repeat: 200)",
        s.ChannelUpdateOut,
        201,
        body=s.ChannelUpdateIn,
    ),
    Operation(
        "DELETE",
        "/api/channel-updates/{channel}/{update_id}",
        "Release an update whose handling failed",
        s.ChannelUpdateOut,
    ),
    Operation(
        "POST",
        "/api/suppliers/{key}/updates",
        "A supplier's reference, status or note for a ticket forwarded to it (signed)",
        s.SupplierUpdateOut,
        body=s.SupplierUpdateIn,
    ),
]


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operation(op: Operation) -> dict:
    out: dict = {
        "summary": op.summary,
        "responses": {
            str(op.status): {
                "description": "OK",
                "content": {"application/json": {"schema": _ref(op.response)}},
            },
            "4XX": {
                "description": "Bad input, unknown reference or invalid transition",
                "content": {"application/json": {"schema": _ref(s.ErrorOut)}},
            },
            "503": {
                "description": "The database was busy or slow: nothing was stored, try again",
                "content": {"application/json": {"schema": _ref(s.ErrorOut)}},
            },
        },
    }
    if op.idempotent:
        out["responses"]["200"] = {
            "description": "A retry with the same Idempotency-Key: the ticket filed before",
            "content": {"application/json": {"schema": _ref(op.response)}},
        }
    signed = (op.method, op.path) in SUPPLIER_SIGNED
    if signed:
        out["security"] = [{"supplierSignature": []}]
    elif op.path not in PUBLIC_PATHS:
        out["security"] = [{"serviceToken": []}]
        if (op.method, op.path) in ASSISTANT_MAY_CALL:
            out["security"].append({"assistantToken": []})
    params: list[dict] = [IDEMPOTENCY_PARAMETER] if op.idempotent else []
    if signed:
        params.extend(SIGNATURE_PARAMETERS)
    if "{key}" in op.path:
        params.append(
            {
                "name": "key",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": "^[a-z0-9-]{1,64}$"},
            }
        )
    if "{outage_id}" in op.path:
        params.append(
            {"name": "outage_id", "in": "path", "required": True, "schema": {"type": "integer"}}
        )
    for name in ("channel", "sender_id", "update_id"):
        if "{" + name + "}" in op.path:
            params.append(
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                }
            )
    if "{reference}" in op.path:
        params.append(
            {
                "name": "reference",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": r"^[Mm]-\d{4}-\d{6}$"},
            }
        )
    if op.query is not None:
        for name, schema in op.query.model_json_schema()["properties"].items():
            params.append({"name": name, "in": "query", "required": False, "schema": schema})
    if params:
        out["parameters"] = params
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(op.body)}},
        }
    return out


def build_openapi() -> dict:
    paths: dict[str, dict] = {}
    models: set[type[BaseModel]] = {s.ErrorOut}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
        models.update(m for m in (op.response, op.body) if m is not None)
    components: dict = {}
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
    return {
        "openapi": "3.1.0",
        "info": {"title": "Loket router service", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "serviceToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "LOKET_SERVICE_TOKEN: every endpoint",
                },
                "assistantToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "LOKET_ASSISTANT_TOKEN: only the operations that list it; "
                    "403 elsewhere",
                },
                "supplierSignature": {
                    "type": "apiKey",
                    "in": "header",
                    "name": SIGNATURE_HEADER,
                    "description": "A supplier's HMAC-SHA256 signature (with "
                    f"{TIMESTAMP_HEADER}); no bearer token opens these operations",
                },
            },
        },
    }


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(build_openapi())
