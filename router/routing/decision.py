"""The routing step: which team or supplier gets a ticket, how sure, and the alternatives.

In order: hard rules (security incident, data breach); the organisation file (application,
given or recognised in the text, plus municipality); the learned text model; and below the
confidence threshold, the servicedesk triage queue with the model's suggestions attached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from router.domain.org import Application, Organisation
from router.domain.route import Route
from router.domain.vocabulary import RoutedHow, TicketType
from router.routing.recognise import ApplicationRecogniser
from router.routing.textmodel import TextModel

DEFAULT_THRESHOLD = 0.6  # for a model version that carries no threshold of its own
DEFAULT_TARGET_PRECISION = 0.90  # share of automatic model routes that must be right
MIN_THRESHOLD = 0.5
_USE_QUESTION = re.compile(
    r"\b(hoe (kan|moet|doe|stel|maak|zet|voeg|vind|werkt|krijg) (ik|je|het|dat)?|waar vind ik|"
    r"hoe werkt|how (do|can) i)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RouteRequest:
    text: str
    municipality: str  # key, e.g. DYK
    application: str | None = None  # canonical name
    type: TicketType | None = None


class ModelSource(Protocol):
    """Where the router gets the model version to use (the registry's live model)."""

    def current(self) -> TextModel | None: ...


class DecisionRouter:
    def __init__(
        self,
        org: Organisation,
        models: ModelSource | None = None,
        threshold: float | None = None,
    ) -> None:
        """`threshold` overrides the one each model version was measured to need."""
        self.org = org
        self.models = models
        self.threshold = threshold
        self.recogniser = ApplicationRecogniser(org)

    def route(self, request: RouteRequest) -> Route:
        rules = self.org.routing
        if request.type == TicketType.security_incident:
            return Route(rules.security_incident, RoutedHow.rule, 1.0)
        if request.type == TicketType.data_breach:
            return Route(rules.data_breach, RoutedHow.rule, 1.0)
        if request.type == TicketType.callback:
            return Route(rules.triage, RoutedHow.rule, 1.0)
        app = self._application(request)
        if app is not None:
            by_catalogue = self._catalogue(app, request)
            if by_catalogue is not None:
                return by_catalogue
        return self._model(request)

    def _application(self, request: RouteRequest) -> Application | None:
        if request.application:
            return self.org.application(request.application)
        return self.recogniser.find(request.text)

    def _catalogue(self, app: Application, request: RouteRequest) -> Route | None:
        asks_how = request.type == TicketType.question or (
            request.type is None and _USE_QUESTION.search(request.text)
        )
        team = self.org.use_questions.get(app.domain)
        if asks_how and team:
            return Route(team, RoutedHow.catalogue, 1.0, application=app.name)
        if request.municipality in app.routes:
            return Route(
                app.routes[request.municipality], RoutedHow.catalogue, 1.0, application=app.name
            )
        return None

    def _model(self, request: RouteRequest) -> Route:
        triage = self.org.routing.triage
        model = self.models.current() if self.models else None
        if model is None:
            return Route(triage, RoutedHow.triage, 0.0, needs_review=True)
        prediction = model.predict(request.text, request.municipality)
        threshold = self._threshold(model, prediction.destination)
        alternatives = [
            {"destination": dest, "confidence": round(float(p), 4)} for dest, p in prediction.top3
        ]
        if threshold is not None and prediction.confidence >= threshold:
            return Route(
                prediction.destination,
                RoutedHow.model,
                prediction.confidence,
                alternatives,
                reasons=list(prediction.reasons),
            )
        return Route(
            triage,
            RoutedHow.triage,
            prediction.confidence,
            alternatives,
            needs_review=True,
            reasons=list(prediction.reasons),
        )

    def _threshold(self, model: TextModel, destination: str) -> float | None:
        """The confidence from which the model routes there on its own; None: never."""
        if self.threshold is not None:
            return self.threshold
        try:
            return model.automatic_threshold(destination)
        except KeyError:  # a version from before real-ticket measurements
            legacy = model.route_threshold
            return DEFAULT_THRESHOLD if legacy is None else legacy


def CatalogueRouter(org: Organisation) -> DecisionRouter:  # noqa: N802 - the day-one router
    """The router without a text model: rules and the organisation file, else triage."""
    return DecisionRouter(org, models=None)
