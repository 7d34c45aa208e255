"""The router: rules, then the organisation file, then the text model, else triage."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from router.domain.vocabulary import TicketType
from router.routing import textmodel
from router.routing.decision import DecisionRouter, RouteRequest
from router.routing.model_registry import LiveModel, ModelRegistry
from router.routing.retrain import retrain
from router.settings import Settings
from router.store import tickets as store
from tests.fixtures import ROOT, SAMPLE_ORG, TEST_TOKEN

NLU_DIR = ROOT / "data" / "nlu"


class Fixed:
    """A model source holding one trained model."""

    def __init__(self, model):
        self.model = model

    def current(self):
        return self.model


def _model(pairs) -> textmodel.TextModel:
    examples = [textmodel.Example(text, muni, dest) for text, muni, dest in pairs for _ in range(4)]
    return textmodel.train(examples)


@pytest.fixture(scope="module")
def desk_model():
    return _model(
        [
            ("het smartboard blijft zwart", None, "werkplek"),
            ("het smartboard hapert na aansluiten", None, "werkplek"),
            ("glasvezel eruit bij ons", None, "netwerk"),
            ("kabel eruit, geen netwerk", None, "netwerk"),
            ("kaart met percelen laadt niet", None, "geo-bi"),
            ("dashboard ververst niet", None, "geo-bi"),
        ]
    )


def test_rules_beat_catalogue_and_model(org, desk_model):
    router = DecisionRouter(org, Fixed(desk_model))
    for type_, team in (
        (TicketType.security_incident, "informatiebeveiliging"),
        (TicketType.data_breach, "privacy"),
    ):
        route = router.route(
            RouteRequest(
                "Key2Burgerzaken: het beeld blijft zwart",
                "DYK",
                application="Key2Burgerzaken",
                type=type_,
            )
        )
        assert (route.destination, route.how) == (team, "rule")


def test_municipality_changes_the_route(org):
    router = DecisionRouter(org)
    text = "de burgerzaken applicatie loopt vast bij opslaan"
    dyk = router.route(RouteRequest(text, "DYK", application="Key2Burgerzaken"))
    plw = router.route(RouteRequest(text, "PLW", application="iBurgerzaken"))
    assert (dyk.destination, plw.destination) == ("centric", "pinkroccade")
    assert router.route(RouteRequest("ibz hangt", "HRD")).destination == "pinkroccade"
    assert (
        router.route(RouteRequest("hoe kan ik in k2b een akte corrigeren?", "DYK")).destination
        == "fb-burgerzaken"
    )


def test_application_recognised_in_text_even_misspelt(org):
    route = DecisionRouter(org).route(
        RouteRequest("youforse laat mijn loonstrook niet zien", "VHN")
    )
    assert (route.destination, route.how, route.application) == (
        "visma-raet",
        "catalogue",
        "Youforce",
    )


def test_model_routes_when_sure_and_explains_why(org, desk_model):
    route = DecisionRouter(org, Fixed(desk_model), threshold=0.5).route(
        RouteRequest("het smartboard blijft zwart", "DYK")
    )
    assert (route.destination, route.how) == ("werkplek", "model")
    assert route.alternatives[0]["destination"] == "werkplek" and len(route.alternatives) == 3
    assert "zwart" in " ".join(route.reasons)


def test_each_model_version_brings_its_own_threshold_unless_one_is_set(org, desk_model):
    request = RouteRequest("iets met smartboard en glasvezel", "DYK")
    confidence = DecisionRouter(org, Fixed(desk_model), threshold=0.0).route(request).confidence
    assert confidence < 0.99
    desk_model.metadata["route_threshold"] = confidence + 0.01
    try:
        assert DecisionRouter(org, Fixed(desk_model)).route(request).how == "triage"
        assert DecisionRouter(org, Fixed(desk_model), threshold=0.0).route(request).how == "model"
        desk_model.metadata["route_threshold"] = confidence - 0.01
        assert DecisionRouter(org, Fixed(desk_model)).route(request).how == "model"
    finally:
        del desk_model.metadata["route_threshold"]


def test_below_threshold_goes_to_triage_with_suggestions(org, desk_model):
    route = DecisionRouter(org, Fixed(desk_model), threshold=0.99).route(
        RouteRequest("iets met smartboard en glasvezel", "DYK")
    )
    assert (route.destination, route.how, route.needs_review) == ("servicedesk", "triage", True)
    assert {a["destination"] for a in route.alternatives} <= {"werkplek", "netwerk", "geo-bi"}
    assert len(route.alternatives) == 3


def test_same_text_other_municipality_other_model_route(org):
    model = _model(
        [
            ("zaakregistratie hapert", "DYK", "decos"),
            ("zaakregistratie hapert", "PLW", "mintlab"),
            ("zaak aanmaken lukt niet", "DYK", "decos"),
            ("zaak aanmaken lukt niet", "PLW", "mintlab"),
        ]
    )
    router = DecisionRouter(org, Fixed(model), threshold=0.0)
    assert router.route(RouteRequest("zaakregistratie hapert", "DYK")).destination == "decos"
    assert router.route(RouteRequest("zaakregistratie hapert", "PLW")).destination == "mintlab"


def test_a_correction_changes_the_next_prediction_after_retraining(org, session, tmp_path):
    registry = ModelRegistry(tmp_path / "models")
    text = "de sleutelkluis bij de balie geeft foutcode 17"
    live = LiveModel(registry, check_every=0)
    router = DecisionRouter(org, live, threshold=0.0)
    retrain(org, session, registry, NLU_DIR)
    before = router.route(RouteRequest(text, "DYK"))
    target = "geo-bi" if before.destination != "geo-bi" else "roxit"
    for n in range(3):
        ticket = store.create_ticket(
            session,
            org=org,
            actor="t",
            route=before,
            data=store.NewTicket(
                municipality="DYK",
                type=TicketType.incident,
                title="Sleutelkluis",
                description=f"{text} ({n})",
                impact="low",
                urgency="low",
                reporter=store.Reporter(channel="rest", sender_id=f"s{n}"),
            ),
        )
        store.reassign(
            session,
            reference=ticket.reference,
            destination=target,
            actor="sd-anna",
            reason="sleutelkluis is van GEO",
            org=org,
        )
    session.commit()
    version, summary = retrain(org, session, registry, NLU_DIR)
    assert summary["counts"]["corrections"] == 3
    # Three real examples measure nothing and are far from enough to route on its own.
    metadata = registry.metadata(version)
    assert metadata["metrics"] == {"rows": 0}
    assert metadata["automatic"]["enabled"] is False
    assert metadata["automatic"]["reason"] == "3 of 200 real examples"
    after = router.route(RouteRequest(text, "DYK"))  # picked up without a restart
    assert live.version == version
    assert after.destination == target


def test_rollback_and_broken_artifacts_fall_back_to_rules(org, tmp_path, desk_model, caplog):
    registry = ModelRegistry(tmp_path / "models")
    first = registry.publish(desk_model, {})
    second = registry.publish(desk_model, {})
    live = LiveModel(registry, check_every=0)
    assert live.version == second
    assert registry.rollback() == first
    live.current()
    assert live.version == first
    registry.path(first).write_bytes(b"not a model")
    with pytest.raises(textmodel.ModelArtifactError, match=str(registry.path(first))):
        textmodel.load(registry.path(first))
    fresh = LiveModel(registry, check_every=0)
    assert fresh.current() is None  # logged, not raised
    router = DecisionRouter(org, fresh)
    assert router.route(RouteRequest("k2b hangt", "DYK")).destination == "centric"
    assert router.route(RouteRequest("iets vaags", "DYK")).how == "triage"
    with pytest.raises(textmodel.ModelArtifactError, match="not found"):
        textmodel.load(tmp_path / "nothing.skops")


async def test_service_starts_and_routes_with_a_corrupt_model(
    aiohttp_client, org, tmp_path, database_url
):
    models = tmp_path / "models"
    models.mkdir()
    (models / "router-1.skops").write_bytes(b"\x00garbage")
    (models / "CURRENT").write_text("router-1")
    from router.app import create_app

    settings = Settings(
        service_token=TEST_TOKEN, database_url=database_url, org_file=SAMPLE_ORG, model_dir=models
    )
    client = await aiohttp_client(create_app(settings, org))
    headers = {"Authorization": f"Bearer {TEST_TOKEN}"}
    resp = await client.post(
        "/api/route", json={"text": "ibz hangt", "municipality": "PLW"}, headers=headers
    )
    assert resp.status == 200 and (await resp.json())["destination"] == "pinkroccade"


def _loket(*args, cwd, env=None):
    return subprocess.run(
        [sys.executable, "-m", "router.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def test_cli_import_counts_bad_rows_and_evaluate_prints_json(tmp_path):
    csv_path = tmp_path / "export.csv"
    rows = ["Korte omschrijving,Verzoek,Behandelaarsgroep,Datum"]
    groups = {
        "Werkplek": ["printer kapot", "laptop start niet", "scherm zwart", "muis werkt niet"],
        "Netwerk": ["geen wifi", "vpn valt weg", "geen internet", "kabel kapot"],
        "Applicaties": ["zaaksysteem traag", "youforce fout", "k2b hangt", "xential sjabloon"],
    }
    for group, texts in groups.items():
        for i in range(10):
            rows.append(f"{texts[i % 4]},melding {i},{group},2025-0{1 + i % 9}-01")
    rows += [
        ",,Werkplek,2025-01-01",
        "iets,,,2025-01-01",
        "iets,x,Onbekend,2025-01-01",
        "iets,x,Netwerk,gisteren",
    ]
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}",
        "LOKET_ORG_FILE": str(SAMPLE_ORG),
        "LOKET_MODEL_DIR": str(tmp_path / "models"),
        "LOKET_TICKETS_DIR": str(tmp_path / "no-example-tickets"),  # the import alone
    }
    assert _loket("db", "upgrade", cwd=ROOT, env=env).returncode == 0
    result = _loket(
        "router",
        "import",
        str(csv_path),
        "--text-cols",
        "Korte omschrijving,Verzoek",
        "--label-col",
        "Behandelaarsgroep",
        "--date-col",
        "Datum",
        "--map",
        "Werkplek=werkplek",
        "--map",
        "Netwerk=netwerk",
        "--map",
        "Applicaties=servicedesk",
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["imported"] == 30
    assert report["skipped"] == {
        "empty_text": 1,
        "empty_label": 1,
        "unknown_label": 1,
        "bad_date": 1,
    }
    trained = _loket("router", "train", cwd=ROOT, env=env)
    assert trained.returncode == 0, trained.stderr
    assert json.loads(trained.stdout)["counts"]["imported"] == 30
    evaluated = _loket(
        "router",
        "evaluate",
        "--csv",
        str(csv_path),
        "--text-cols",
        "Korte omschrijving",
        "--label-col",
        "Behandelaarsgroep",
        "--json",
        cwd=ROOT,
        env=env,
    )
    assert evaluated.returncode == 0, evaluated.stderr
    figures = json.loads(evaluated.stdout)
    for system in ("model", "baseline"):
        assert set(figures[system]) >= {
            "accuracy",
            "macro_f1",
            "top3_accuracy",
            "coverage_at_precision",
        }
        assert set(figures[system]["coverage_at_precision"]) == {"0.90", "0.95", "0.98"}
        assert 0.0 <= figures[system]["accuracy"] <= 1.0


def test_cli_route_jsonl(tmp_path):
    lines = tmp_path / "in.jsonl"
    lines.write_text(
        "\n".join(
            json.dumps(d)
            for d in [
                {"text": "ibz hangt", "municipality": "PLW", "application": None, "type": None},
                {
                    "text": "ik klikte op een phishing link",
                    "municipality": "DYK",
                    "application": None,
                    "type": "security_incident",
                },
                {"text": "x", "municipality": "AMS"},
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "LOKET_ORG_FILE": str(SAMPLE_ORG),
        "LOKET_MODEL_DIR": str(tmp_path / "m"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}",
    }
    model = _model([("beeld zwart", None, "werkplek"), ("geen netwerk", None, "netwerk")])
    ModelRegistry(tmp_path / "m").publish(model, {})  # without a model `loket route` refuses
    result = _loket("route", "--jsonl", str(lines), cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert (out[0]["destination"], out[0]["how"]) == ("pinkroccade", "catalogue")
    assert (out[1]["destination"], out[1]["how"]) == ("informatiebeveiliging", "rule")
    assert "unknown municipality 'AMS'" in out[2]["error"]
    single = _loket("route", "--municipality", "DYK", "k2b loopt vast", cwd=ROOT, env=env)
    assert json.loads(single.stdout)["destination"] == "centric"


async def test_service_follows_a_newly_published_model_without_restart(
    aiohttp_client, org, tmp_path, database_url
):
    from router.app import create_app

    registry = ModelRegistry(tmp_path / "models")
    text = "de sleutelkluis bij de balie geeft foutcode 17"
    examples = [
        ("sleutelkluis foutcode balie", "DYK", "geo-bi"),
        ("printer kapot", "DYK", "werkplek"),
    ]
    registry.publish(_model(examples * 3), {})
    settings = Settings(
        service_token=TEST_TOKEN,
        database_url=database_url,
        org_file=SAMPLE_ORG,
        model_dir=registry.directory,
        model_check_seconds=0.05,
        route_threshold=0.0,
    )
    client = await aiohttp_client(create_app(settings, org))
    headers = {"Authorization": f"Bearer {TEST_TOKEN}"}

    async def destination() -> str:
        body = {"text": text, "municipality": "DYK"}
        resp = await client.post("/api/route", json=body, headers=headers)
        assert resp.status == 200
        return (await resp.json())["destination"]

    assert await destination() == "geo-bi"
    relabelled = [(t, m, "roxit" if d == "geo-bi" else d) for t, m, d in examples]
    registry.publish(_model(relabelled * 3), {})
    for _ in range(100):
        if await destination() == "roxit":
            break
        await asyncio.sleep(0.05)
    assert await destination() == "roxit"
