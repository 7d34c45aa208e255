"""One middleware guards every workspace request: session, CSRF, headers, HTML errors."""

from __future__ import annotations

from urllib.parse import quote

import structlog
from aiohttp import web
from aiohttp.typedefs import Handler
from sqlmodel import Session

from router.domain.errors import Conflict, InvalidInput, LoketError, NotAllowed, NotFound
from router.domain.org import UnknownName
from router.store.accounts import account_by_id, password_fingerprint
from router.store.queues import Scope
from router.store.tickets import UnknownDestination
from router.workspace.keys import CLAIM, CSRF_NEW, CSRF_SEED, SCOPE, SECRETS, SESSION_ID
from router.workspace.security import CSRF_FIELD, new_seed
from router.workspace.web import in_session, render

log = structlog.get_logger()
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Each kind of domain error, as the status of the Dutch error page.
STATUS_OF = {NotFound: 404, Conflict: 409, InvalidInput: 422, NotAllowed: 403}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class Forbidden(NotAllowed):
    """Signed in, but this role may not do this (e.g. a coordinator managing accounts)."""

    def dutch(self) -> str:
        return str(self)


# Errors whose message is English (raised by the domain or store for every surface): what
# the workspace says instead. The most specific class first; then the status's fallback.
_DUTCH_BY_KIND: list[tuple[type[LoketError], str]] = [
    (UnknownName, "Die gemeente of applicatie kent de werkruimte niet. Kies er een uit de lijst."),
    (UnknownDestination, "Die bestemming bestaat niet. Kies er een uit de lijst."),
]
_DUTCH_BY_STATUS = {
    400: "Het verzoek is ongeldig.",
    401: "Meld u eerst aan.",
    403: "U hebt hiervoor geen rechten.",
    404: "Deze pagina bestaat niet.",
    405: "Dat kan op deze pagina niet.",
    409: "Dat kan niet in de huidige toestand.",
    413: "Het formulier is te groot.",
    422: "De invoer kan niet worden gebruikt. Controleer het formulier.",
    429: "Te veel pogingen. Wacht een kwartier en probeer het opnieuw.",
    500: "Er ging iets mis aan onze kant. Probeer het later opnieuw.",
}


def _dutch(exc: LoketError, status: int) -> str:
    if type(exc).dutch is not LoketError.dutch:  # the error knows its Dutch message
        return exc.dutch()
    for kind, message in _DUTCH_BY_KIND:
        if isinstance(exc, kind):
            return message
    return _DUTCH_BY_STATUS.get(status, _DUTCH_BY_STATUS[500])


@web.middleware
async def workspace_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error in the workspace becomes a Dutch HTML page; none reaches the API's JSON."""
    _read_cookies(request)
    try:
        response = await _guarded(request, handler)
    except LoketError as exc:
        status = next((s for kind, s in STATUS_OF.items() if isinstance(exc, kind)), 500)
        if status == 500:
            log.exception("router.workspace.error", path=request.path)
        response = _error(request, status, _dutch(exc, status))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        message = _DUTCH_BY_STATUS.get(exc.status, _DUTCH_BY_STATUS[400])
        response = _error(request, exc.status, message)
    except Exception:
        log.exception("router.workspace.error", path=request.path)
        response = _error(request, 500, _DUTCH_BY_STATUS[500])
    _finish(request, response)
    return response


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    if isinstance(request.match_info.route.resource, web.StaticResource):
        return await handler(request)
    if request.method not in SAFE_METHODS and not await _csrf_ok(request):
        log.warning("router.workspace.csrf_refused", path=request.path)
        return _error(
            request, 403, "Het formulier is verlopen of ongeldig. Laad de pagina opnieuw."
        )
    if getattr(request.match_info.handler, "public", False):
        return await handler(request)
    scope = await _signed_in(request)
    if scope is None:
        target = request.path_qs if request.method == "GET" else "/staff/"
        return web.Response(
            status=303, headers={"Location": f"/staff/login?next={quote(target, safe='')}"}
        )
    request[SCOPE] = scope
    return await handler(request)


def _read_cookies(request: web.Request) -> None:
    secrets = request.app[SECRETS]
    seed = request.cookies.get(secrets.csrf_cookie, "")
    if not 20 <= len(seed) <= 100:
        seed = new_seed()
        request[CSRF_NEW] = True
    request[CSRF_SEED] = seed
    claim = secrets.read_session(request.cookies.get(secrets.session_cookie))
    request[SESSION_ID] = claim.session_id if claim else ""
    if claim is not None:
        request[CLAIM] = claim


async def _csrf_ok(request: web.Request) -> bool:
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return False
    given = request.headers.get("X-CSRF-Token")
    if given is None and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        value = (await request.post()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    secrets = request.app[SECRETS]
    return secrets.csrf_ok(request.cookies.get(secrets.csrf_cookie), request[SESSION_ID], given)


async def _signed_in(request: web.Request) -> Scope | None:
    claim = request.get(CLAIM)
    if claim is None:
        return None

    def load(session: Session) -> Scope | None:
        account = account_by_id(session, claim.account_id)
        if account is None or not account.active:
            return None
        if password_fingerprint(account) != claim.fingerprint:
            return None
        if account.session_generation != claim.generation:
            return None  # signed out (or a new password, or deactivated) since
        return Scope.of(account)

    return await in_session(request, load)


def _error(request: web.Request, status: int, message: str) -> web.Response:
    return render(request, "error.html", status=status, message=message, status_code=status)


def _finish(request: web.Request, response: web.StreamResponse) -> None:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if not isinstance(request.match_info.route.resource, web.StaticResource):
        headers.setdefault("Cache-Control", "no-store")
    if request.get(CSRF_NEW):
        name = request.app[SECRETS].csrf_cookie
        set_cookie(request, response, name, request[CSRF_SEED], samesite="Strict")


def set_cookie(
    request: web.Request,
    response: web.StreamResponse,
    name: str,
    value: str,
    *,
    samesite: str = "Lax",
    max_age: int | None = None,
) -> None:
    secrets = request.app[SECRETS]
    response.set_cookie(
        name,
        value,
        path=secrets.cookie_path,
        httponly=True,
        samesite=samesite,
        secure=secrets.cookie_secure,
        max_age=max_age,
    )


def delete_cookie(request: web.Request, response: web.StreamResponse, name: str) -> None:
    secrets = request.app[SECRETS]
    response.del_cookie(
        name, path=secrets.cookie_path, secure=secrets.cookie_secure, httponly=True, samesite="Lax"
    )
