"""The router's model versions for admins: figures per version, and going back to one."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from aiohttp import web
from sqlmodel import Session

from router.keys import SETTINGS
from router.logs import pseudonym
from router.routing.model_registry import ModelRegistry
from router.store import jobs, training
from router.workspace.forms import OK_MESSAGES
from router.workspace.middleware import Forbidden
from router.workspace.web import in_session, render, scope_of, see_other

log = structlog.get_logger()
routes = web.RouteTableDef()


def _admin(request: web.Request) -> None:
    if not scope_of(request).can_manage_accounts:
        raise Forbidden("Alleen een beheerder beheert het routeringsmodel.")


def _registry(request: web.Request) -> ModelRegistry:
    return ModelRegistry(request.config_dict[SETTINGS].model_dir)


def _versions(registry: ModelRegistry) -> tuple[str | None, list[dict[str, Any]]]:
    current = registry.current_version()
    rows = [{"version": v, **registry.metadata(v)} for v in reversed(registry.versions())]
    return current, rows


@routes.get("/model", name="model")
async def model_page(request: web.Request) -> web.Response:
    _admin(request)
    current, versions = await asyncio.to_thread(_versions, _registry(request))

    def read(session: Session) -> tuple[int, Any]:
        return sum(training.count_since(session, {}).values()), jobs.job_state(session, "retrain")

    real, last_retrain = await in_session(request, read)
    settings = request.config_dict[SETTINGS]
    return render(
        request,
        "model.html",
        current=current,
        versions=versions,
        real=real,
        needed=settings.model_min_real_examples,
        last_retrain=last_retrain,
        ok=OK_MESSAGES.get(request.query.get("ok", "")),
    )


@routes.post("/model/{version}/actief", name="model_activate")
async def model_activate(request: web.Request) -> web.Response:
    _admin(request)
    version = request.match_info["version"]
    await asyncio.to_thread(_registry(request).activate, version)
    log.info(
        "router.workspace.model_activated",
        version=version,
        staff=pseudonym(scope_of(request).username),
    )
    return see_other("/staff/model?ok=model")
