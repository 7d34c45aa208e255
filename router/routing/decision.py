"""The routing step: which team or supplier gets a ticket, how sure, and the alternatives.

In order: hard rules (security incident, data breach; given, or plain from the text); the
organisation file (an application given, or named in the text, plus the municipality); the
work of a domain named in the text (paspoort, Wmo: the municipality's application for that
domain); everyday words that are also synonyms ("scherm"); the learned text model; and below
its confidence threshold the servicedesk triage queue with the model's suggestions attached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Protocol

from router.domain.org import Application, Organisation
from router.domain.route import Route
from router.domain.vocabulary import RoutedHow, TicketType
from router.routing.recognise import ApplicationRecogniser, Findings, incident_kind
from router.routing.textmodel import Prediction, TextModel

DEFAULT_THRESHOLD = 0.6  # for a model version that carries no threshold of its own
DEFAULT_TARGET_PRECISION = 0.90  # share of automatic model routes that must be right
MIN_THRESHOLD = 0.5
# How sure a route from the organisation file is. An application named exactly is sure; a
# misspelt one as sure as the fuzzy match; the work of one domain a little less, more with
# more of its words and less when another domain's work is named too; a word that is also
# everyday Dutch ("scherm") least: it routes only when no domain's work is named, and before
# the text model, which on day one knows less than the word (the model's top 3 come along).
DOMAIN_CONFIDENCE = 0.9
DOMAIN_EXTRA_TERM = 0.04  # per further term of the same domain, up to DOMAIN_MAX
DOMAIN_MAX = 0.98
DOMAIN_CONTESTED = 0.15  # subtracted when another domain, elsewhere routed, is named too
TIE_CONFIDENCE = 0.7  # two domains equally named; the text model chose between them
WEAK_CONFIDENCE = 0.65
WEAK_CONTESTED = 0.6  # more everyday words for one place than for another
WEAK_TIE = 0.55  # as many for two places; the text model chose between them
TEXT_RULE_CONFIDENCE = 0.95  # a security incident or breach read from the text, not given
# The words are read in a ticket's first 2,000 characters: an application or work named only
# below them (in a forwarded thread) says little, and the longest made a route slow.
SCAN_CHARS = 2_000
HELPDESK_CONFIDENCE = 0.9  # a question about the helpdesk itself or an earlier ticket
# Routes made by the organisation file's words, which the text model may override (rules and
# an application the assistant was given are never overridden).
OVERRIDABLE = frozenset({RoutedHow.catalogue, RoutedHow.domain})
# The helpdesk itself or a ticket already made, whatever device or work it was about (lower
# case, see _opening): the servicedesk answers ("hoe staat het met mijn melding over de
# printer?", "bel me terug").
_ABOUT_THE_HELPDESK = re.compile(
    r"\b[a-z]-\d{4}-\d{3,}\b|"
    r"(\b(melding|ticket)(en|s)? (van|over|die ik)|\bmijn (aanvraag|vraag)|"
    r"\been (aanvraag|melding|verzoek) gedaan) .{0,60}\b(status|"
    r"al iemand|nog (steeds )?niet (opgelost|opgepakt|beantwoord)|niks (meer )?gehoord|"
    r"niets (meer )?gehoord|hoor (nog )?(niks|niets)|doorzetten|mag (weg|dicht)|reactie)|"
    r"hoe lang duurt (het|dat) nog|"
    r"\b(hoe staat het met|wat is de status|is er al iemand mee bezig|niks meer (over )?gehoord|"
    r"niets meer (over )?gehoord|twee keer dezelfde melding|dubbel ingestuurd|mag (weer )?dicht|"
    r"mag gesloten worden|hoeven (jullie )?niets meer te doen|"
    r"compliment|bedankt voor (de|jullie) hulp)",
)
# How to reach the helpdesk: the servicedesk's, when the ticket names nothing else.
_REACHING_THE_HELPDESK = re.compile(
    r"\b((kan|kunnen|wil) (iemand|jullie) (me|mij) (even |ff )?(terug)?bellen|"
    r"bel (me|mij) (ff |even )?terug|zou (me|mij) (terug)?bellen|terugbelverzoek|"
    r"zou(den)? (iemand|jullie|iemand van jullie) (me|mij) (terug)?bellen|"
    r"wie (moet|kan) ik (eigenlijk |dan |het snelst )?(bellen|bereiken|mailen)|"
    r"(telefoon)?nummer van (de|jullie) (servicedesk|helpdesk)|(servicedesk|helpdesk) bereikbaar|"
    r"wie ik .{0,20}(kan|moet) (bellen|bereiken)|weet niet bij wie|"
    r"waar vind ik (het|een) (aanvraag)?formulier|"
    r"zijn jullie (bereikbaar|open|dicht)|openingstijden van (de |jullie )?(servicedesk|"
    r"helpdesk)|inloopspreekuur|startershandleiding|hoe (meld|doe) ik een (storing|melding)|"
    r"(beste|snelste) manier om .{0,30}melden|waar (kan|moet) ik (dat|dit|zoiets) melden|"
    r"(pagina|plek|overzicht) (waar|met) .{0,30}storing(en)?)",
)


def _opening(text: str) -> str:
    """Where a ticket says what it is about, lowered: the helpdesk patterns are lower case
    (half the time of a case-insensitive search) and read no further."""
    return text[:600].lower()


# A how-to or set-up question (rights inside an application included): the domain's
# functional-management team answers it, not the supplier.
_USE_QUESTION = re.compile(
    r"\b(hoe (kan|moet|doe|stel|maak|zet|voeg|vind|werkt|krijg|registreer|voer|verwerk|wijzig"
    r"|pas|zie|kom|start|koppel|corrigeer|herstel) (ik|je|het|dat|we|jij|men)?"
    r"|waar (vind|kan|moet|staat|zie|zet) (ik|je|het|dat|we)?|hoe werkt|"
    r"kan iemand (me |mij )?(uitleggen|vertellen)|wat is de (juiste|goede) (manier|werkwijze)|"
    r"werkinstructie|handleiding|uitleg (over|hoe|bij)|graag uitleg|autorisaties?"
    r"|\w*rechten (krijgen|geven|toekennen)"
    r"|(geen|meer|extra|andere) (rechten|toegang)|rechten (aanvragen|nodig|erbij)"
    r"|hoe \w+ (ik|je|we|jij|men) \w+"
    r"|welke (knop|optie|instelling|veld|code|keuze|reden|soort|documentsoort|categorie|status)"
    r"|onder welk|in welk (tabblad|scherm|veld|menu)"
    r"|(ingesteld|aangezet|uitgezet|geconfigureerd|ingericht) (kan |kunnen )?worden"
    r"|weet niet (onder|waar|hoe|welk)|wat moet ik (invullen|kiezen|selecteren|"
    r"aanvinken|doen om)|is het mogelijk om|ik (snap|begrijp) niet hoe|weet iemand hoe"
    r"|how (do|can|to) i?)\b",
    re.IGNORECASE,
)

# A question that does not describe a fault ("mag ik een paspoort uitreiken als ...?",
# "welke code gebruik ik voor ...") is a use question too; "waarom", "fout", "lukt niet"
# and the like make it a fault told as a question.
_QUESTION = re.compile(
    r"\?|^\W*(hoe|waar|welke?|wanneer|wie|mag|mogen|moet|moeten|kan ik|kunnen we|klopt het|"
    r"is het|zijn er|wat (is|zijn|moet|doe|betekent))\b",
    re.IGNORECASE,
)
_FAULT = re.compile(
    r"\b(waarom|fout\w*|error|storing|crash\w*|kapot|traag|langzaam|hangt|vastgelopen|"
    r"loopt vast|lukt (het )?(niet|nie)|werkt (het |hij )?niet|doet (het|hij) (het )?niet|"
    r"gaat (het )?mis|mislukt|verdwenen|niet (meer )?(zichtbaar|te openen|op te slaan|"
    r"beschikbaar)|kan (ik )?(niet|geen)|krijg (ik )?(geen|niet)|geen toegang|"
    r"ineens|opeens|sinds|blijft hangen|bevriest|time-?out|afgekeurd|geweigerd|"
    r"klopt niet|kloppen niet|ontbreekt|ontbreken|grijs|dubbel|leeg|weigert|sluit (zichzelf|"
    r"vanzelf) af|niet (meer )?(opgeslagen|aangemaakt|verstuurd|geladen))\b",
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
        self._by_name = {app.name: app for app in org.applications}  # what Findings name
        self._last_prediction: tuple[tuple[TextModel, str, str], Prediction] | None = None

    def route(self, request: RouteRequest) -> Route:
        rules = self.org.routing
        if request.type == TicketType.security_incident:
            return Route(rules.security_incident, RoutedHow.rule, 1.0)
        if request.type == TicketType.data_breach:
            return Route(rules.data_breach, RoutedHow.rule, 1.0)
        if request.type == TicketType.callback:
            return Route(rules.triage, RoutedHow.rule, 1.0)
        if request.type is None:  # not classified by the assistant: what does the text say?
            said = self._incident(request.text)
            if said is not None:
                kind, confidence, reason = said
                team = getattr(rules, str(kind))
                return Route(team, RoutedHow.rule, confidence, reasons=[reason])
            about = _ABOUT_THE_HELPDESK.search(_opening(request.text))
            if about is not None:
                reason = f"vraag aan de servicedesk: {about.group(0).strip()}"
                return Route(rules.triage, RoutedHow.rule, HELPDESK_CONFIDENCE, reasons=[reason])
        given = self.org.application(request.application) if request.application else None
        found = self.recogniser.scan(request.text[:SCAN_CHARS])
        if given is not None and _only_weakly_named(given, found):
            given = None  # "de beschikking word niet aangemaakt": "word" is no Word here
        if given is not None:
            by_catalogue = self._catalogue(given, request, 1.0)
            if by_catalogue is not None:
                as_named = replace(found, application=given)  # the assistant read it here
                return self._outnumbered(as_named, request, by_catalogue) or by_catalogue
        by_words = self._by_words(request, found, given)
        if by_words.how in OVERRIDABLE:
            return self._second_opinion(request, by_words) or by_words
        return by_words

    def _by_words(self, request: RouteRequest, found: Findings, given: Application | None) -> Route:
        """The route the text's words make: an application, a domain's work, everyday words,
        a question for the helpdesk; else the text model or triage."""
        rules = self.org.routing
        if found.application is not None and given is None:
            by_catalogue = self._catalogue(found.application, request, found.fuzzy)
            if by_catalogue is not None:
                return self._outnumbered(found, request, by_catalogue) or by_catalogue
            if not found.domains:  # "het zaaksysteem" where another one is in use
                found = replace(
                    found, domains=[(found.application.domain, [found.application.name])]
                )
        by_domain = self._domain(found, request)
        if by_domain is not None and found.department_only:
            # "bij burgerzaken doet mijn headset het niet": the department is where the employee
            # works; the everyday words say what is wrong.
            return self._weak(found, request, by_domain) or by_domain
        if by_domain is not None:
            return by_domain
        text = _opening(request.text)
        reaching = _REACHING_THE_HELPDESK.search(text) if request.type is None else None
        if reaching is not None and found.application is None:
            reason = f"vraag aan de servicedesk: {reaching.group(0).strip()}"
            return Route(rules.triage, RoutedHow.rule, HELPDESK_CONFIDENCE, reasons=[reason])
        by_model = self._model(request)
        if found.domains and not found.department_only:
            return by_model  # a domain's work was named: an everyday word does not decide
        return self._weak(found, request, by_model) or by_model

    def _predict(self, model: TextModel, request: RouteRequest) -> Prediction:
        """The model's prediction, scored once per ticket however many steps ask for it."""
        key = (model, request.text, request.municipality)
        last = self._last_prediction
        if last is not None and last[0] == key:
            return last[1]
        prediction = model.predict(request.text, request.municipality)
        self._last_prediction = (key, prediction)
        return prediction

    def _second_opinion(self, request: RouteRequest, by_words: Route) -> Route | None:
        """The text model, disagreeing with the words' route from its override confidence,
        decides: it learned from tickets written apart from the organisation file's words."""
        model = self.models.current() if self.models else None
        if model is None:
            return None
        prediction = self._predict(model, request)
        if prediction.destination == by_words.destination:
            return None
        override = model.override_threshold(prediction.destination)
        if override is None or prediction.confidence < override:
            return None
        alternatives = _alternatives(prediction)
        words = "; ".join(by_words.reasons) or str(by_words.how)
        instead = f"in plaats van {by_words.destination} ({words})"
        return Route(
            prediction.destination,
            RoutedHow.model,
            prediction.confidence,
            alternatives,
            reasons=[*prediction.reasons, instead],
        )

    def _incident(self, text: str) -> tuple[TicketType, float, str] | None:
        """A security incident or breach plain from the text's words, else as the model
        recognises it (from its measured threshold); None for anything else."""
        kind = incident_kind(text)
        if kind is not None:
            return kind, TEXT_RULE_CONFIDENCE, str(kind)
        model = self.models.current() if self.models else None
        recognised = model.incidents.kind(text) if model and model.incidents else None
        if recognised is None:
            return None
        kind, confidence = recognised
        return kind, confidence, f"{kind} (tekstmodel {confidence:.2f})"

    def _asks_how(self, request: RouteRequest) -> bool:
        if request.type is not None:
            return request.type == TicketType.question
        text = request.text
        asked = _QUESTION.search(text) and not _FAULT.search(text)
        return bool(_USE_QUESTION.search(text) or asked)

    def _catalogue(
        self, app: Application, request: RouteRequest, confidence: float
    ) -> Route | None:
        team = self.org.use_questions.get(app.domain)
        if team and self._asks_how(request):
            return Route(team, RoutedHow.catalogue, confidence, application=app.name)
        if request.municipality in app.routes:
            return Route(
                app.routes[request.municipality],
                RoutedHow.catalogue,
                confidence,
                application=app.name,
            )
        return None

    def _resolve(self, domain: str, request: RouteRequest) -> tuple[str, str | None] | None:
        """Where the work of a domain goes at the ticket's municipality, and the application."""
        team = self.org.use_questions.get(domain)
        apps = self.org.domain_applications(domain, request.municipality)
        single = apps[0].name if len(apps) == 1 else None
        if team and self._asks_how(request):
            return team, single
        destination = self.org.domain_destination(domain, request.municipality)
        return None if destination is None else (destination, single)

    def _domain(self, found: Findings, request: RouteRequest) -> Route | None:
        candidates = []
        for domain, terms in found.domains:
            resolved = self._resolve(domain, request)
            if resolved is not None:
                candidates.append((domain, terms, *resolved))
        if not candidates:
            return None
        most = len(candidates[0][1])
        best = [c for c in candidates if len(c[1]) == most]
        if len({c[2] for c in best}) > 1:
            return self._tie(best, request)
        domain, terms, destination, app = best[0]
        confidence = min(DOMAIN_MAX, DOMAIN_CONFIDENCE + DOMAIN_EXTRA_TERM * (len(terms) - 1))
        if any(c[2] != destination for c in candidates):
            confidence -= DOMAIN_CONTESTED
        reasons = [f"{domain}: {', '.join(terms)}"]
        return Route(destination, RoutedHow.domain, confidence, reasons=reasons, application=app)

    def _tie(
        self, tied: list[tuple[str, list[str], str, str | None]], request: RouteRequest
    ) -> Route | None:
        """Two domains named as often, routed apart: the text model chooses between them."""
        model = self.models.current() if self.models else None
        if model is None:
            return None
        prediction = self._predict(model, request)
        for domain, terms, destination, app in tied:
            if destination == prediction.destination:
                reasons = [f"{domain}: {', '.join(terms)}", *prediction.reasons]
                return Route(
                    destination, RoutedHow.domain, TIE_CONFIDENCE, reasons=reasons, application=app
                )
        return None

    def _weak(self, found: Findings, request: RouteRequest, fallback: Route) -> Route | None:
        """Everyday words ("scherm", "muis") when nothing else decided: one destination only."""
        routes: dict[str, tuple[RoutedHow, str | None, list[str]]] = {}
        for name, word in found.weak:
            app = self._by_name.get(name)  # an application, else a domain
            resolved: tuple[str, str | None] | None
            if app is not None:
                how = RoutedHow.catalogue
                at = app.routes.get(request.municipality)
                resolved = None if at is None else (at, app.name)
            else:
                how, resolved = RoutedHow.domain, self._resolve(name, request)
            if resolved is not None:
                routes.setdefault(resolved[0], (how, resolved[1], []))[2].append(word)
        if not routes:
            return None
        most = max(len(set(words)) for _, _, words in routes.values())
        best = [dest for dest, (_, _, words) in routes.items() if len(set(words)) == most]
        confidence = WEAK_CONFIDENCE if len(routes) == 1 else WEAK_CONTESTED
        if len(best) > 1:  # as many everyday words for two places: the text model chooses
            chosen = self._model_choice(request, best)
            if chosen is None:
                return None
            best, confidence = [chosen], WEAK_TIE
        destination = best[0]
        how, app_name, words = routes[destination]
        return Route(
            destination,
            how,
            confidence,
            fallback.alternatives,
            reasons=[", ".join(dict.fromkeys(words))],
            application=app_name,
        )

    def _outnumbered(self, found: Findings, request: RouteRequest, named: Route) -> Route | None:
        """An everyday device or service named ("laptop", "wifi") among more everyday words of
        another place ("geen netwerk", "netwerkaansluiting"): those words decide, as when no
        application is named; as many: the text model chooses. A service that is no carrier
        counts twice. Without a model, or with a domain's work named, the name decides."""
        app = found.application
        if app is None or found.domains or not self._generic(app):
            return None
        words = [*found.weak, (app.name, app.name.casefold())]
        if not app.carrier:  # a service named outright ("wifi") outweighs one everyday word
            words.append((app.name, f"{app.name.casefold()} (genoemd)"))
        counted = self._weak(replace(found, weak=words), request, named)
        if counted is None or counted.destination == named.destination:
            return None
        return counted if counted.confidence in (WEAK_CONTESTED, WEAK_TIE) else None

    def _generic(self, app: Application) -> bool:
        return any(d.name == app.domain and d.generic for d in self.org.domains)

    def _model_choice(self, request: RouteRequest, candidates: list[str]) -> str | None:
        """The text model's first choice among the candidates; None without a model."""
        model = self.models.current() if self.models else None
        if model is None:
            return None
        ranked = self._predict(model, request).top3
        return next((dest for dest, _ in ranked if dest in candidates), None)

    def _model(self, request: RouteRequest) -> Route:
        triage = self.org.routing.triage
        model = self.models.current() if self.models else None
        if model is None:
            return Route(triage, RoutedHow.triage, 0.0, needs_review=True)
        prediction = self._predict(model, request)
        threshold = self._threshold(model, prediction.destination)
        alternatives = _alternatives(prediction)
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


def _alternatives(prediction: Prediction) -> list[dict[str, object]]:
    """The model's top three, as a route carries them for the staff's review."""
    return [{"destination": d, "confidence": round(float(p), 4)} for d, p in prediction.top3]


def _only_weakly_named(given: Application, found: Findings) -> bool:
    """The assistant's application rests on an everyday word of the text ("word", "teams"), a
    verb spelt like it or a device ruled out, while the text names domain work or another
    application: the text decides."""
    weakly = given.name in found.not_meant or any(name == given.name for name, _ in found.weak)
    weak_only = weakly and (found.application is None or found.application.name != given.name)
    return weak_only and (bool(found.domains) or found.application is not None)


def CatalogueRouter(org: Organisation) -> DecisionRouter:  # noqa: N802 - the day-one router
    """The router without a text model: rules and the organisation file, else triage."""
    return DecisionRouter(org, models=None)
