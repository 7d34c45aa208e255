"""Routing as the service does it, shared by the API and the command line."""

from __future__ import annotations

from typing import Any

from router.domain.errors import InvalidInput
from router.domain.org import Organisation
from router.domain.route import Route
from router.domain.vocabulary import TicketType
from router.routing.decision import DecisionRouter, RouteRequest
from router.routing.model_registry import LiveModel, ModelRegistry
from router.settings import RouterSettings


class InvalidRouteInput(InvalidInput):
    pass


def build_router(
    org: Organisation, settings: RouterSettings, *, check_every: float | None = 2.0
) -> DecisionRouter:
    """The router on the published model; `check_every=None` leaves following it to the caller."""
    live = LiveModel(ModelRegistry(settings.model_dir), check_every=check_every)
    return DecisionRouter(org, live, settings.route_threshold)


def route_request(org: Organisation, data: dict[str, Any]) -> RouteRequest:
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InvalidRouteInput("text is missing or empty")
    type_ = data.get("type")
    if type_ is not None and type_ not in TicketType.__members__:
        raise InvalidRouteInput(f"unknown type '{type_}'; known: {', '.join(TicketType)}")
    return RouteRequest(
        text=text,
        municipality=org.municipality_key(str(data.get("municipality") or "")),
        application=org.application_name(data.get("application")),
        type=TicketType(type_) if type_ else None,
    )


def route_fields(org: Organisation, route: Route) -> dict[str, Any]:
    return {
        "destination": route.destination,
        "destination_name": org.destination_name(route.destination),
        "how": str(route.how),
        "confidence": round(route.confidence, 4),
        "needs_review": route.needs_review,
        "alternatives": route.alternatives,
        "reasons": route.reasons,
    }


def route_dict(router: DecisionRouter, org: Organisation, data: dict[str, Any]) -> dict[str, Any]:
    """The input line with destination, how, confidence and alternatives added."""
    return {**data, **route_fields(org, router.route(route_request(org, data)))}
