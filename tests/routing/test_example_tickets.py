"""Example tickets, written apart from the organisation file's words, teach the text model
before the first real correction; where it disagrees with the words' route from its override
confidence, it decides."""

from __future__ import annotations

import json

import pytest
from rapidfuzz import fuzz, process
from sqlmodel import Session

from router.routing import example_tickets, textmodel
from router.routing.decision import DecisionRouter, RouteRequest
from router.routing.example_tickets import ExampleTicketError
from router.routing.model_registry import LiveModel, ModelRegistry
from router.routing.retrain import retrain
from router.store.engine import make_engine
from router.store.migrate import upgrade
from tests.fixtures import ROOT

NLU_DIR = ROOT / "data" / "nlu"
TICKETS_DIR = ROOT / "data" / "tickets"
BLIND = ROOT / "bench" / "data" / "blind_routing_nl.jsonl"


class Fixed:
    def __init__(self, model):
        self.model = model

    def current(self):
        return self.model


def _write(tmp_path, *rows):
    directory = tmp_path / "tickets"
    directory.mkdir(exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    (directory / "set.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def test_example_tickets_are_read_with_their_destination(org, tmp_path):
    directory = _write(
        tmp_path,
        {
            "text": "de scanner bij de balie doet niks",
            "municipality": "PLW",
            "expected": "werkplek",
        },
        "",
        {"text": "WOZ-bezwaar blijft hangen", "municipality": "DYK", "expected": "centric"},
    )
    rows = example_tickets.load(directory, org)
    assert [(r.text, r.municipality, r.destination) for r in rows] == [
        ("de scanner bij de balie doet niks", "PLW", "werkplek"),
        ("WOZ-bezwaar blijft hangen", "DYK", "centric"),
    ]
    assert example_tickets.load(tmp_path / "absent", org) == []
    assert example_tickets.load(None, org) == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "set.jsonl:1: not JSON"),
        ({"text": " ", "municipality": "DYK", "expected": "werkplek"}, "'text' is missing"),
        ({"text": "x", "municipality": "AMS", "expected": "werkplek"}, "municipality 'AMS'"),
        ({"text": "x", "municipality": "DYK", "expected": "helpdesk"}, "destination 'helpdesk'"),
    ],
)
def test_a_bad_example_ticket_is_named_with_its_file_and_line(org, tmp_path, line, message):
    with pytest.raises(ExampleTicketError, match=message):
        example_tickets.load(_write(tmp_path, line), org)


def test_the_shipped_example_tickets_are_valid_and_none_is_from_the_blind_set(org):
    rows = example_tickets.load(TICKETS_DIR, org)
    assert len(rows) >= 2000
    assert {r.municipality for r in rows} == {"DYK", "VHN", "PLW", "HRD"}
    blind = [json.loads(line)["text"].casefold() for line in BLIND.read_text().splitlines()]
    closest = max(process.extractOne(r.text.casefold(), blind, scorer=fuzz.ratio)[1] for r in rows)
    assert closest < 85  # not even a near copy of a blind ticket


def test_with_example_tickets_the_model_routes_what_the_words_miss(org, tmp_path):
    # An empty store (no store is under test here: one is enough, and training takes a while).
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    registry = ModelRegistry(tmp_path / "models")
    with Session(make_engine(url)) as session:
        _version, summary = retrain(org, session, registry, NLU_DIR, TICKETS_DIR)
    auto = summary["automatic"]
    assert summary["counts"]["example_tickets"] >= 2000 and summary["counts"]["corrections"] == 0
    assert auto["enabled"] is True and auto["override_threshold"] >= auto["threshold"] >= 0.5
    assert summary["metrics"]["automatic_precision"] >= 0.9
    router = DecisionRouter(org, LiveModel(registry, check_every=0))
    # Named outright, the words still decide; a security incident stays a rule.
    assert router.route(RouteRequest("k2b loopt vast", "DYK")).destination == "centric"
    phishing = router.route(RouteRequest("ik heb op een link in een phishingmail geklikt", "VHN"))
    assert (phishing.how, phishing.destination) == ("rule", "informatiebeveiliging")


def _contrary_model(override):
    """A real text model that learned "paspoortaanvraag" as werkplek's, against the org file."""
    pairs = [
        ("paspoortaanvraag scherm zwart", "werkplek"),
        ("paspoortaanvraag printer hapert", "werkplek"),
        ("paspoortaanvraag scherm zwart", "netwerk"),  # not quite sure, then
        ("wifi valt weg", "netwerk"),
        ("geen verbinding met het netwerk", "netwerk"),
    ]
    model = textmodel.train([textmodel.Example(t, None, d) for t, d in pairs for _ in range(6)])
    model.metadata["automatic"] = {
        "enabled": True,
        "threshold": 0.5,
        "override_threshold": override,
        "destinations": ["netwerk", "werkplek"],
    }
    return model


def test_the_model_overrides_the_words_route_only_from_its_override_confidence(org):
    text = "paspoortaanvraag scherm zwart"
    sure = DecisionRouter(org, Fixed(_contrary_model(0.5))).route(RouteRequest(text, "DYK"))
    assert (sure.how, sure.destination) == ("model", "werkplek")
    assert any(r.startswith("in plaats van centric (burgerzaken") for r in sure.reasons)
    assert sure.alternatives[0]["destination"] == "werkplek"
    unsure = DecisionRouter(org, Fixed(_contrary_model(0.95))).route(RouteRequest(text, "DYK"))
    assert (unsure.how, unsure.destination) == ("domain", "centric")


def test_neither_a_rule_nor_an_application_the_assistant_gave_is_overridden(org):
    router = DecisionRouter(org, Fixed(_contrary_model(0.5)))
    given = router.route(
        RouteRequest("paspoortaanvraag scherm zwart", "DYK", application="Key2Burgerzaken")
    )
    assert (given.how, given.destination) == ("catalogue", "centric")
    breach = router.route(RouteRequest("paspoortaanvraag scherm zwart", "DYK", type="data_breach"))
    assert (breach.how, breach.destination) == ("rule", "privacy")
