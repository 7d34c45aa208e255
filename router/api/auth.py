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

from router.access import Caller, routes_for
from router.api.errors import error
from router.keys import SETTINGS

# The lists come from the one table of who may call what (router/access.py): a new call for
# the assistant, or a new signed or public endpoint, is added there.
PUBLIC_PATHS = frozenset(
    path for _method, path in routes_for(Caller.public) if path.startswith("/api/")
)
ASSISTANT_MAY_CALL: frozenset[tuple[str, str]] = routes_for(Caller.assistant)
# Called by suppliers, signed with their own secret instead of a bearer token (checked by the
# handler, router/api/suppliers.py); no token opens them.
SUPPLIER_SIGNED: frozenset[tuple[str, str]] = routes_for(Caller.supplier)


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
