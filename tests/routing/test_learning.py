"""Honest confidence: the model routes on its own only when real tickets show it may, and a
retrained version replaces the current one only when it does better on real tickets."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
from sqlmodel import Session

from router.routing.decision import DecisionRouter, RouteRequest
from router.routing.heldout import Gate
from router.routing.model_registry import LiveModel, ModelRegistry
from router.routing.retrain import retrain
from router.store import training
from router.store.engine import make_engine
from tests.fixtures import ROOT

NLU_DIR = ROOT / "data" / "nlu"
# Real tickets in words the organisation file does not know, with one clear home each.
WORK = {
    "geo-bi": ["sleutelkluis", "rioolkaart", "hoogtekaart", "dijkprofiel"],
    "netwerk": ["switchkast", "patchpunt", "glasvezel", "accesspoint"],
    "werkplek": ["presentatiescherm", "whiteboard", "smartboard", "tekentablet"],
}
PHRASES = ["{w} doet raar sinds vanochtend", "de {w} op de tweede verdieping werkt niet",
           "probleem met {w} bij ons team", "{w} stuk, graag iemand sturen",
           "onze {w} hapert weer"]  # fmt: skip


def _real(n: int, seed: int = 0) -> list[training.Labelled]:
    rng = random.Random(seed)  # noqa: S311 - made-up tickets, not secrets
    rows = []
    for i in range(n):
        destination = list(WORK)[i % len(WORK)]
        text = rng.choice(PHRASES).format(w=rng.choice(WORK[destination]))
        municipality = rng.choice(["DYK", "PLW"])
        rows.append(training.Labelled(f"{text} ({i})", municipality, destination, None))
    return rows


def _import(session, rows, source="import:test.csv"):
    training.add_imported(session, source=source, examples=rows)
    session.commit()


def test_cold_start_routes_nothing_by_model_and_suggests_in_triage(org, session, tmp_path):
    registry = ModelRegistry(tmp_path / "models")
    _import(session, _real(37))
    version, summary = retrain(org, session, registry, NLU_DIR)
    assert summary["automatic"]["enabled"] is False
    assert summary["automatic"]["reason"] == "37 of 200 real examples"
    router = DecisionRouter(org, LiveModel(registry, check_every=0))
    vague = router.route(RouteRequest("het smartboard op de tweede verdieping kraakt", "DYK"))
    assert vague.how == "triage" and vague.needs_review
    assert vague.alternatives[0]["destination"] == "werkplek"  # suggested, not routed
    # The organisation file still routes what it is sure of.
    assert router.route(RouteRequest("k2b loopt vast", "DYK")).destination == "centric"
    # Figures on the held-out real tickets are recorded with the version.
    figures = registry.metadata(version)["metrics"]
    assert figures["rows"] == 37 and figures["triage_rate"] > 0.5


def test_enough_real_tickets_let_the_model_route_and_measure_its_precision(org, session, tmp_path):
    registry = ModelRegistry(tmp_path / "models")
    _import(session, _real(60))
    gate = Gate(min_real=60, min_per_destination=10, target_precision=0.9)
    version, summary = retrain(org, session, registry, NLU_DIR, gate=gate)
    auto = summary["automatic"]
    assert auto["enabled"] is True and auto["destinations"] == sorted(WORK)
    assert 0.5 <= auto["threshold"] < 1.0
    figures = registry.metadata(version)["metrics"]
    assert figures["automatic_precision"] >= 0.9 and figures["triage_rate"] < 0.5
    router = DecisionRouter(org, LiveModel(registry, check_every=0))
    route = router.route(RouteRequest("de glasvezel in de kelder is stuk", "DYK"))
    assert (route.how, route.destination) == ("model", "netwerk")


def test_a_retrained_version_that_does_not_do_better_is_not_published(org, session, tmp_path):
    registry = ModelRegistry(tmp_path / "models")
    retrain(org, session, registry, NLU_DIR)
    first = registry.current_version()
    # Nothing new: nothing to be better on.
    version, summary = retrain(org, session, registry, NLU_DIR, only_if_better=True)
    assert version is None and summary["published"] is False
    assert summary["comparison"]["reason"] == "no real examples since the current version"
    assert registry.current_version() == first and registry.versions() == [first]


def test_the_nightly_retraining_publishes_only_what_beats_the_current_version(
    org, session, tmp_path
):
    registry = ModelRegistry(tmp_path / "models")
    retrain(org, session, registry, NLU_DIR)  # the day-one model: knows none of WORK's words
    first = registry.current_version()
    _import(session, _real(45))
    version, summary = retrain(org, session, registry, NLU_DIR, only_if_better=True)
    comparison = summary["comparison"]
    assert comparison["new_examples"] == 45
    assert comparison["candidate"] > comparison["current"]
    assert version is not None and registry.current_version() == version != first
    # Tickets whose labels no model can learn from their text: the current version, trained
    # on them (recorded as if it had not seen them), is not beaten by the candidate.
    rng = random.Random(1)  # noqa: S311 - made-up tickets, not secrets
    noise = [
        training.Labelled(
            f"zaak {rng.randrange(10**6)} oppakken", "DYK", rng.choice(list(WORK)), None
        )
        for _ in range(30)
    ]
    _import(session, noise, source="import:ruis.csv")
    version, summary = retrain(org, session, registry, NLU_DIR)  # on request: includes them
    seen_before = registry.metadata(version)
    seen_before["seen"] = {"import": 45, "correction": 0}  # as if trained before the noise
    (registry.directory / f"{version}.json").write_text(json.dumps(seen_before))
    again, summary = retrain(org, session, registry, NLU_DIR, only_if_better=True)
    assert again is None and summary["published"] is False
    assert summary["comparison"]["current"] >= summary["comparison"]["candidate"]
    assert registry.current_version() == version


@pytest.mark.parametrize("count", [37])
def test_router_status_says_how_far_from_routing_on_its_own(count, database_url, tmp_path):

    engine = make_engine(database_url)
    with Session(engine) as session:
        _import(session, _real(count))
    engine.dispose()
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": database_url,
        "LOKET_MODEL_DIR": str(tmp_path / "models"),
        "LOKET_TICKETS_DIR": str(tmp_path / "no-example-tickets"),
    }

    def loket(*args):
        return subprocess.run([sys.executable, "-m", "router.cli", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)  # fmt: skip

    assert "no model installed" in loket("router", "status").stdout
    assert loket("router", "train").returncode == 0
    status = loket("router", "status")
    assert status.returncode == 0, status.stderr
    assert "Model routes automatically: no, 37 of 200 real examples" in status.stdout
    assert "* router-" in status.stdout
