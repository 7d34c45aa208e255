"""One middleware maps domain errors and bad input to JSON 4xx answers."""

from __future__ import annotations

import json
import time

import structlog
from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError

from router.domain.errors import (
    Conflict,
    InvalidInput,
    LoketError,
    NotAllowed,
    NotFound,
    Unavailable,
)

log = structlog.get_logger()


STARTED = web.RequestKey("loket.started", float)  # time.monotonic() at arrival

# Each kind of domain error, as the HTTP status the API answers with.
STATUS_OF = {
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    NotAllowed: 403,
    Unavailable: 503,
}


class BadRequest(InvalidInput):
    """Input that cannot be used; the message says why."""


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def describe_validation(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "body"
        message = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    request[STARTED] = time.monotonic()  # the request's deadline counts from here
    try:
        return await handler(request)
    except LoketError as exc:
        status = next((s for kind, s in STATUS_OF.items() if isinstance(exc, kind)), None)
        if status is None:
            raise
        return error(status, str(exc))
    except ValidationError as exc:
        return error(422, describe_validation(exc))
    except json.JSONDecodeError as exc:
        return error(400, f"body is not valid JSON: {exc.msg} at position {exc.pos}")
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error(exc.status, exc.text or exc.reason)
    except DBAPIError as exc:
        return _database_error(request, exc)


def _database_error(request: web.Request, exc: DBAPIError) -> web.Response:
    """Log a database error by its kind only: its message may quote row values (PostgreSQL's
    DETAIL names the duplicate key, for one), and those may be personal data."""
    original = exc.orig
    log.error(
        "router.database.error",
        method=request.method,
        path=request.path,
        error=type(original).__name__ if original is not None else type(exc).__name__,
        sqlstate=getattr(original, "sqlstate", None),
    )
    if isinstance(exc, OperationalError):  # a lock or statement timeout, a busy database
        return error(503, "the database is busy; nothing was stored, try again")
    return error(500, "database error")
