"""The one factory of the router service's aiohttp app, used by `loket serve` and the tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from router.api import linking, self_service, suppliers, tickets
from router.api.auth import token_middleware
from router.api.errors import error_middleware
from router.api.openapi import openapi
from router.domain.org import Organisation, load_organisation
from router.keys import ENGINE, ORG, ROUTER, SETTINGS
from router.routing.model_registry import LiveModel
from router.routing.service import build_router
from router.settings import Settings
from router.store.engine import make_engine
from router.workspace import app as workspace

MAX_BODY = 256 * 1024
SERVER_NAME = "Loket"


def create_app(settings: Settings, org: Organisation | None = None) -> web.Application:
    """Build the app; an invalid organisation file raises OrgFileError before anything starts."""
    org = org or load_organisation(settings.org_file)
    app = web.Application(
        middlewares=[error_middleware, token_middleware], client_max_size=MAX_BODY
    )
    app.on_response_prepare.append(_server_header)
    app[SETTINGS] = settings
    app[ORG] = org
    app[ROUTER] = build_router(org, settings, check_every=None)
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_follow_published_model)
    app.add_routes(tickets.routes)
    app.add_routes(self_service.routes)
    app.add_routes(linking.routes)  # Telegram accounts and updates (issue 14)
    app.add_routes(suppliers.routes)  # suppliers' signed updates (issue 15)
    app.router.add_get("/api/openapi.json", openapi)
    workspace.mount(app, settings, org)  # the staff workspace at /staff/, its own session auth
    return app


async def _server_header(request: web.Request, response: web.StreamResponse) -> None:
    """Name no software versions (aiohttp would send `Python/3.x aiohttp/3.x`)."""
    response.headers["Server"] = SERVER_NAME


async def _follow_published_model(app: web.Application) -> AsyncIterator[None]:
    """Load a newly published model in a thread, so routing never waits for a load."""
    live = app[ROUTER].models
    if not isinstance(live, LiveModel):
        yield
        return

    async def follow() -> None:
        while True:
            await asyncio.sleep(app[SETTINGS].model_check_seconds)
            await asyncio.to_thread(live.refresh)

    task = asyncio.create_task(follow())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _database(app: web.Application) -> AsyncIterator[None]:
    engine = make_engine(app[SETTINGS].database_url)
    app[ENGINE] = engine
    yield
    engine.dispose()
