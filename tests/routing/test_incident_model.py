"""Security incidents and data breaches told in words no text rule knows: the recogniser learnt
from the assistant's examples names them, from the confidence it measured out of fold."""

from __future__ import annotations

import pytest

from router.routing import example_tickets, incident_model, recognise, textmodel
from router.routing.decision import DecisionRouter, RouteRequest
from router.routing.model_registry import LiveModel, ModelRegistry
from router.routing.recognise import incident_kind
from router.routing.retrain import retrain
from tests.fixtures import ROOT

NLU_DIR = ROOT / "data" / "nlu"


@pytest.fixture(scope="module")
def recogniser():
    model, figures = incident_model.train(incident_model.nlu_examples(NLU_DIR))
    assert model is not None
    return model, figures


def test_its_threshold_is_measured_out_of_fold(recogniser):
    model, figures = recogniser
    assert figures["trained"] is True
    assert figures["precision_out_of_fold"] >= incident_model.TARGET_PRECISION
    assert incident_model.MIN_THRESHOLD <= model.threshold == figures["threshold"] < 1
    assert 0.3 < figures["recall_out_of_fold"] <= 1


def test_one_ticket_is_scored_as_the_fitted_vectorizers_and_classifier_score_it(recogniser):
    model, _ = recogniser
    texts = [
        "ik heb op een link geklikt in een mail van de 'bank' en mijn wachtwoord ingevuld",
        "de printer op de tweede verdieping geeft een papierstoring",
        "",
    ]
    for text, batch in zip(texts, model.probabilities(texts), strict=True):
        assert model.probability(text) == pytest.approx(batch, abs=1e-6)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "iemand van 'de ict' belde en liet me een code voorlezen die op mijn scherm stond",
            "security_incident",
        ),
        (
            "de inwoner belde: in zijn brief stond de uitkering van een heel ander gezin",
            "data_breach",
        ),
    ],
)
def test_the_text_rules_miss_what_the_model_then_names(recogniser, text, kind):
    model, _ = recogniser
    assert incident_kind(text) is None
    found = model.kind(text)
    assert found is not None and str(found[0]) == kind and found[1] >= model.threshold


@pytest.mark.parametrize(
    "text",
    [
        "de printer op de tweede verdieping geeft een papierstoring",
        "mijn outlook start niet meer op sinds de update",
        "kan een nieuwe collega toegang krijgen tot de gedeelde map van team wmo",
        "de bijstandsaanvraag loopt vast bij het opslaan",
    ],
)
def test_an_ordinary_fault_is_no_incident(recogniser, text):
    model, _ = recogniser
    assert model.kind(text) is None


def test_the_router_routes_a_recognised_breach_to_privacy_and_says_why(org, session, tmp_path):
    registry = ModelRegistry(tmp_path / "models")
    version, summary = retrain(org, session, registry, NLU_DIR)
    assert summary["incidents"]["trained"] is True
    loaded = textmodel.load(registry.path(version))  # survives the artifact
    assert loaded.incidents is not None
    router = DecisionRouter(org, LiveModel(registry, check_every=0))
    text = "de inwoner belde: in zijn brief stond de uitkering van een heel ander gezin"
    assert incident_kind(text) is None
    route = router.route(RouteRequest(text, "DYK"))
    assert (route.destination, route.how) == ("privacy", "rule")
    assert "tekstmodel" in route.reasons[0]
    # the assistant's classification still wins
    typed = router.route(RouteRequest(text, "DYK", type="incident"))
    assert typed.destination != "privacy"


def test_the_cues_never_hide_an_incident_the_text_rules_would_find(org):
    """The cheap substring tests before the security and breach patterns let through every
    text of the assistant's examples and the example tickets that a pattern finds one in."""
    texts = [text for text, _kind in incident_model.nlu_examples(ROOT / "data" / "nlu")]
    texts += [row.text for row in example_tickets.load(ROOT / "data" / "tickets", org)]
    found = {"security": 0, "breach": 0}
    for text in texts:
        lowered = text[: recognise._INCIDENT_CHARS].lower()
        if recognise._SECURITY.search(lowered):
            found["security"] += 1
            assert any(cue in lowered for cue in recognise._SECURITY_CUES), text
        if recognise._BREACH.search(lowered):
            found["breach"] += 1
            assert any(cue in lowered for cue in recognise._BREACH_CUES), text
    assert min(found.values()) > 100  # the corpus holds incidents of both kinds at all
