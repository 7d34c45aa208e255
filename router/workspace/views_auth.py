"""Sign in and sign out."""

from __future__ import annotations

import structlog
from aiohttp import web
from sqlmodel import Session

from router.logs import pseudonym
from router.store.accounts import authenticate, end_sessions, password_fingerprint
from router.store.tables import flushed_id
from router.workspace.forms import safe_target
from router.workspace.keys import CSRF_NEW, CSRF_SEED, LIMITER, SCOPE, SECRETS, TRUSTED_PROXIES
from router.workspace.limiter import client_address
from router.workspace.middleware import delete_cookie, set_cookie
from router.workspace.security import SESSION_HOURS, new_seed
from router.workspace.web import in_session, public, render, see_other, text_field

log = structlog.get_logger()
routes = web.RouteTableDef()


def _next(request: web.Request, value: str | None) -> str:
    """Only back into the workspace: never an open redirect to another site."""
    return safe_target(value, "/staff/")


@routes.get("/login", name="login")
@public
async def login_page(request: web.Request) -> web.Response:
    return render(request, "login.html", next=_next(request, request.query.get("next")), error=None)


@routes.post("/login")
@public
async def login(request: web.Request) -> web.Response:
    form = await request.post()
    username = (text_field(form, "username", 100) or "").lower()
    given = form.get("password")
    password = given if isinstance(given, str) else ""
    target = _next(request, text_field(form, "next", 500))
    trusted = request.app[TRUSTED_PROXIES]
    address = client_address(request.remote, request.headers.get("X-Forwarded-For"), trusted)
    limiter = request.app[LIMITER]
    attempt = await limiter.reserve(address, username)  # counted before the slow hash
    if attempt is None:
        log.warning("router.workspace.signin_limited", staff=pseudonym(username))
        return render(
            request,
            "login.html",
            status=429,
            next=target,
            error="Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.",
        )

    def check(session: Session) -> tuple[int, str, int] | None:
        account = authenticate(session, username=username, password=password[:1024])
        if account is None:
            return None
        return flushed_id(account.id), password_fingerprint(account), account.session_generation

    found = await in_session(request, check) if username and password else None
    if found is None:
        log.info("router.workspace.signin_failed", staff=pseudonym(username))
        return render(
            request,
            "login.html",
            status=401,
            next=target,
            error="Onjuiste gebruikersnaam of wachtwoord.",
        )
    await limiter.succeeded(address, username, attempt)
    log.info("router.workspace.signed_in", staff=pseudonym(username))
    response = see_other(target)
    token = request.app[SECRETS].session_token(*found)
    name = request.app[SECRETS].session_cookie
    set_cookie(request, response, name, token, max_age=SESSION_HOURS * 3600)
    request[CSRF_SEED], request[CSRF_NEW] = new_seed(), True  # a fresh CSRF seed per session
    return response


@routes.post("/logout", name="logout")
async def logout(request: web.Request) -> web.Response:
    username = request[SCOPE].username
    await in_session(request, lambda s: end_sessions(s, username))  # server-side
    log.info("router.workspace.signed_out", staff=pseudonym(username))
    response = see_other("/staff/login?afgemeld=1")
    delete_cookie(request, response, request.app[SECRETS].session_cookie)
    return response
