"""Bearer-token authentication for the JSON API; a few paths are public on purpose.

Two tokens: the service token (LOKET_SERVICE_TOKEN) opens every endpoint; the assistant's
token (LOKET_ASSISTANT_TOKEN, optional) opens only ASSISTANT_MAY_CALL, what the assistant's
conversations need, and answers 403 elsewhere. Both are compared in constant time.

Suppliers' updates (SUPPLIER_SIGNED) take no token: the supplier signs each request.

Only /api/ paths: the staff workspace (/staff/) signs its users in with its own sessions.
"""

from __future__ import annotations

import hmac

from aiohttp import web
from aiohttp.typedefs import Handler

from router.api.errors import error
from router.keys import SETTINGS

PUBLIC_PATHS = frozenset({"/api/health", "/api/openapi.json"})

# Everything the assistant's token may call, as (method, route path as in the OpenAPI
# document). The one place to extend: each issue that gives the assistant a new call adds
# it here (and tests/api/test_auth_scopes.py checks the list against the app).
ASSISTANT_MAY_CALL: frozenset[tuple[str, str]] = frozenset(
    {
        ("POST", "/api/tickets"),  # file a ticket for the employee in the conversation
        ("GET", "/api/my/tickets"),  # the reporter's own tickets
        ("GET", "/api/my/tickets/{reference}"),
        ("POST", "/api/my/tickets/{reference}/withdraw"),
        ("POST", "/api/my/tickets/{reference}/reopen"),  # "nee" to "je melding is opgelost"
        ("GET", "/api/outages"),  # known outages, announced before a ticket is filed
        ("GET", "/api/catalogue"),  # applications and municipalities
        ("POST", "/api/bot-resolutions"),  # a question the bot answered alone
        # Telegram (issue 14): linking an account by a mailed code, and who it is linked to;
        # each update handled once across Rasa processes (a failed one released for a retry).
        ("POST", "/api/links/start"),
        ("POST", "/api/links/confirm"),
        ("GET", "/api/links/{channel}/{sender_id}"),
        ("POST", "/api/channel-updates"),
        ("DELETE", "/api/channel-updates/{channel}/{update_id}"),
    }
)


# Called by suppliers, signed with their own secret instead of a bearer token (checked by the
# handler, router/api/suppliers.py); no token opens them.
SUPPLIER_SIGNED: frozenset[tuple[str, str]] = frozenset(
    {("POST", "/api/suppliers/{key}/updates")}  # a supplier's news of a forwarded ticket
)


def _matches(given: bytes, secret: str) -> bool:
    return hmac.compare_digest(given, secret.encode())


def _operation(request: web.Request) -> tuple[str, str] | None:
    """The (method, path template) the request was routed to; None when no route matched."""
    route = request.match_info.route
    resource = route.resource
    if resource is None or request.match_info.http_exception is not None:
        return None
    method = "GET" if request.method == "HEAD" else request.method
    return method, resource.canonical


@web.middleware
async def token_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path in PUBLIC_PATHS or not request.path.startswith("/api/"):
        return await handler(request)
    if _operation(request) in SUPPLIER_SIGNED:
        return await handler(request)  # its signature is checked there, not a token
    settings = request.app[SETTINGS]
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    given = token.strip().encode()
    bearer = scheme.lower() == "bearer"
    # Both comparisons always run, so the answer's timing tells nothing about either token.
    is_service = _matches(given, settings.service_token.get_secret_value())
    assistant = settings.assistant_token
    is_assistant = assistant is not None and _matches(given, assistant.get_secret_value())
    if bearer and is_service:
        return await handler(request)
    if bearer and is_assistant:
        operation = _operation(request)
        if operation is None or operation in ASSISTANT_MAY_CALL:
            return await handler(request)  # an unknown path or method: its own 404 or 405
        return error(403, "the assistant's token may not call this endpoint")
    response = error(401, "missing or invalid service token")
    response.headers["WWW-Authenticate"] = "Bearer"
    return response
