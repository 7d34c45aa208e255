"""Typed application keys: what the app holds for its handlers."""

from aiohttp import web
from sqlalchemy import Engine

from router.domain.org import Organisation
from router.routing.decision import DecisionRouter
from router.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
ORG = web.AppKey("org", Organisation)
ENGINE = web.AppKey("engine", Engine)
ROUTER = web.AppKey("router", DecisionRouter)
