"""Typed keys of the workspace sub-app, and what handlers put on a request."""

from __future__ import annotations

import jinja2
from aiohttp import web

from router.store.queues import Scope
from router.workspace.limiter import Limiter, Network
from router.workspace.security import Secrets, SessionClaim

TEMPLATES = web.AppKey("templates", jinja2.Environment)
SECRETS = web.AppKey("secrets", Secrets)
LIMITER = web.AppKey("signin_limiter", Limiter)
TRUSTED_PROXIES = web.AppKey("trusted_proxies", tuple[Network, ...])

SCOPE = web.RequestKey("scope", Scope)  # the signed-in staff member
CSRF_SEED = web.RequestKey("csrf_seed", str)  # the CSRF cookie value of this request
CSRF_NEW = web.RequestKey("csrf_new", bool)  # set when the response must (re)set the cookie
CLAIM = web.RequestKey("session_claim", SessionClaim)  # a validly signed session cookie
SESSION_ID = web.RequestKey("session_id", str)  # its session id ("" without one): binds CSRF
