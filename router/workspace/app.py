"""The workspace sub-app, mounted at /staff/ by the router service's one app factory."""

from __future__ import annotations

from pathlib import Path

import structlog
from aiohttp import web

from router.domain.org import Organisation
from router.logs import set_pseudonym_key
from router.settings import Settings
from router.workspace import (
    views_admin,
    views_auth,
    views_deliveries,
    views_major,
    views_model,
    views_privacy,
    views_queues,
    views_report,
    views_suppliers,
    views_ticket,
)
from router.workspace.keys import LIMITER, SECRETS, TEMPLATES, TRUSTED_PROXIES
from router.workspace.limiter import (
    Limiter,
    RedisSignInLimiter,
    SignInLimiter,
    parse_networks,
)
from router.workspace.middleware import workspace_middleware
from router.workspace.security import WorkspaceConfigError, load_secrets
from router.workspace.web import build_templates

log = structlog.get_logger()
PREFIX = "/staff"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_workspace(settings: Settings, org: Organisation) -> web.Application:
    """The staff workspace; without a valid secret key it only explains what is missing."""
    try:
        secrets = load_secrets(settings)
    except WorkspaceConfigError as exc:
        log.error("router.workspace.disabled", error=str(exc))
        return _unconfigured(str(exc))
    log_key = settings.log_key.get_secret_value().strip() if settings.log_key else ""
    set_pseudonym_key(log_key or secrets.key)
    workspace = web.Application(middlewares=[workspace_middleware])
    workspace[SECRETS] = secrets
    workspace[TEMPLATES] = build_templates(org)
    workspace[LIMITER] = _limiter(settings, workspace)
    workspace[TRUSTED_PROXIES] = parse_networks(settings.trusted_proxies)
    for module in (views_auth, views_queues, views_ticket, views_admin, views_model, views_report,
                   views_deliveries, views_suppliers, views_major, views_privacy):  # fmt: skip
        workspace.add_routes(module.routes)
    workspace.router.add_static("/static", STATIC_DIR, name="static", append_version=True)
    return workspace


def _limiter(settings: Settings, workspace: web.Application) -> Limiter:
    url = settings.redis_url
    if not url:
        workers = settings.workers
        if workers > 1:
            log.warning("router.workspace.limiter_per_process", workers=workers)
        return SignInLimiter()
    limiter = RedisSignInLimiter(url, prefix=settings.redis_prefix + "signin:")

    async def close(_app: web.Application) -> None:
        await limiter.close()

    workspace.on_cleanup.append(close)
    return limiter


def _unconfigured(message: str) -> web.Application:
    async def explain(request: web.Request) -> web.Response:
        return web.Response(
            status=503, text=f"De werkplek is niet geconfigureerd: {message}", charset="utf-8"
        )

    workspace = web.Application()
    workspace.router.add_route("*", "/{tail:.*}", explain)
    return workspace


def mount(app: web.Application, settings: Settings, org: Organisation) -> None:
    app.add_subapp(PREFIX, create_workspace(settings, org))

    async def to_workspace(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"{PREFIX}/")

    app.router.add_get("/", to_workspace)
