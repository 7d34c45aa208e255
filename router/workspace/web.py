"""Helpers for the workspace's handlers: templates, store work off the loop, forms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from aiohttp.typedefs import Handler
from multidict import MultiMapping
from sqlmodel import Session

from router.domain import breach
from router.domain.org import Organisation
from router.domain.vocabulary import ROUTED_HOW_LABELS, Status
from router.keys import ENGINE, ORG
from router.store.engine import in_transaction
from router.store.queues import Scope
from router.workspace.keys import CSRF_SEED, SCOPE, SECRETS, SESSION_ID, TEMPLATES

T = TypeVar("T")
H = TypeVar("H", bound=Handler)
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

STATUS_LABELS = {
    Status.new: "Nieuw",
    Status.routed: "Gerouteerd",
    Status.forwarded: "Doorgezet naar leverancier",
    Status.in_progress: "In behandeling",
    Status.waiting: "Wacht op reactie",
    Status.resolved: "Opgelost",
    Status.closed: "Gesloten",
    Status.reopened: "Heropend",
    Status.withdrawn: "Ingetrokken",
}
EVENT_LABELS = {
    "created": "Aangemaakt",
    "routed": "Gerouteerd",
    "status": "Status gewijzigd",
    "reassigned": "Doorgestuurd (correctie)",
    "reviewed": "Route bevestigd",
    "comment": "Opmerking",
    "forwarded": "Doorgezet naar leverancier",
    "delivery": "Aflevering",
    "sla": "SLA-bewaking",
    "privacy": "Datalek (FG)",
    "linked": "Gekoppeld aan storing",
}
SLA_LABELS = {"at_risk": "SLA dreigt", "breached": "SLA verlopen"}
DECISION_LABELS = {
    "report": "Melden bij de AP",
    "no_report": "Niet melden bij de AP",
}
TYPE_LABELS = {
    "incident": "Storing",
    "request": "Aanvraag",
    "question": "Vraag",
    "security_incident": "Beveiligingsincident",
    "data_breach": "Datalek",
    "callback": "Terugbelverzoek",
}
LEVEL_LABELS = {"low": "laag", "medium": "middel", "high": "hoog"}
ROLE_LABELS = {"servicedesk": "Servicedesk", "coordinator": "Coördinator", "admin": "Beheerder"}


def build_templates(org: Organisation) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,  # every value is escaped; ticket text is untrusted input
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def destination_name(key: str) -> str:
        try:
            return org.destination_name(key)
        except KeyError:
            return key

    env.globals.update(
        org=org,
        status_labels={str(k): v for k, v in STATUS_LABELS.items()},
        event_labels=EVENT_LABELS,
        role_labels=ROLE_LABELS,
        type_labels=TYPE_LABELS,
        level_labels=LEVEL_LABELS,
        how_labels={str(k): v for k, v in ROUTED_HOW_LABELS.items()},
        destination_name=destination_name,
        municipality_names={m.key: m.name for m in org.municipalities},
        sla_labels=SLA_LABELS,
        decision_labels=DECISION_LABELS,
        breach_clock=_breach_clock,
    )
    env.filters["when"] = lambda d: d.astimezone(_tz(org)).strftime("%d-%m-%Y %H:%M") if d else ""
    return env


def _breach_clock(ticket: Any) -> str | None:
    """The data breach's 72-hour clock in words, while it runs (None otherwise)."""
    deadline = ticket.notify_deadline_at
    if not breach.clock_running(deadline, ticket.breach_decision, ticket.ap_notified_at):
        return None
    return breach.clock_text(deadline, datetime.now(UTC))


def _tz(org: Organisation) -> ZoneInfo:
    return ZoneInfo(org.sla.timezone)


def scope_of(request: web.Request) -> Scope:
    return request[SCOPE]


def org_of(request: web.Request) -> Organisation:
    return request.config_dict[ORG]


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    env = request.app[TEMPLATES]
    seed, session_id = request.get(CSRF_SEED), request.get(SESSION_ID, "")
    html = env.get_template(template).render(
        scope=request.get(SCOPE),
        csrf_token=request.app[SECRETS].csrf_token(seed, session_id) if seed else "",
        path=request.path,
        query=request.query,
        static=lambda name: str(request.app.router["static"].url_for(filename=name)),
        **context,
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def see_other(location: str) -> web.Response:
    """The answer to a successful form post: reload as GET (no double post on refresh)."""
    if not location.startswith("/staff/") or not (location.isascii() and location.isprintable()):
        location = "/staff/"  # a last guard: never a broken header after the work is saved
    return web.Response(status=303, headers={"Location": location})


async def in_session(request: web.Request, work: Callable[[Session], T]) -> T:
    """Store work for this request; a page view takes no write lock (SQLite)."""
    read_only = request.method in ("GET", "HEAD", "OPTIONS")
    return await in_transaction(request.config_dict[ENGINE], work, write=not read_only)


def text_field(form: MultiMapping[object], name: str, limit: int = 4000) -> str | None:
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value[:limit] or None


def public(handler: H) -> H:
    """Mark a handler that needs no sign-in (the sign-in page itself)."""
    vars(handler)["public"] = True  # a function attribute; the middleware reads it
    return handler
