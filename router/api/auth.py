"""Service-token authentication for the JSON API; a few paths are public on purpose.

Only /api/ paths: the staff workspace (/staff/) signs its users in with its own sessions.
"""

from __future__ import annotations

import hmac

from aiohttp import web
from aiohttp.typedefs import Handler

from router.api.errors import error
from router.keys import SETTINGS

PUBLIC_PATHS = frozenset({"/api/health", "/api/openapi.json"})


@web.middleware
async def token_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path in PUBLIC_PATHS or not request.path.startswith("/api/"):
        return await handler(request)
    expected = request.app[SETTINGS].service_token.get_secret_value().encode()
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        response = error(401, "missing or invalid service token")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    return await handler(request)
