"""The routing step: which team or supplier gets a ticket, how sure, and the alternatives.

One small interface (`Router.route`) so the learned router of a later issue can replace
the catalogue rule without touching the store or the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from router.models import RoutedHow, TicketType
from router.org import Organisation


@dataclass(frozen=True)
class RouteRequest:
    text: str
    municipality: str  # key, e.g. DYK
    application: str | None = None  # canonical name
    type: TicketType | None = None


@dataclass(frozen=True)
class Route:
    destination: str
    how: RoutedHow
    confidence: float
    alternatives: list[dict] = field(default_factory=list)
    needs_review: bool = False


class Router(Protocol):
    def route(self, request: RouteRequest) -> Route: ...


class CatalogueRouter:
    """Hard rules, then application + municipality from the organisation file, else triage."""

    def __init__(self, org: Organisation) -> None:
        self.org = org

    def route(self, request: RouteRequest) -> Route:
        rules = self.org.routing
        if request.type == TicketType.security_incident:
            return Route(rules.security_incident, RoutedHow.rule, 1.0)
        if request.type == TicketType.data_breach:
            return Route(rules.data_breach, RoutedHow.rule, 1.0)
        app = self.org.application(request.application) if request.application else None
        if app is not None and request.type == TicketType.question:
            team = self.org.use_questions.get(app.domain)
            if team:
                return Route(team, RoutedHow.catalogue, 1.0)
        if app is not None and request.municipality in app.routes:
            return Route(app.routes[request.municipality], RoutedHow.catalogue, 1.0)
        return Route(rules.triage, RoutedHow.triage, 0.0, needs_review=True)
