"""The router service's JSON API: every endpoint, its auth failure and its bad-input answers."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from router.store.tables import Ticket
from tests.fixtures import TEST_TOKEN

AUTH = {"Authorization": f"Bearer {TEST_TOKEN}"}


def ticket_body(**overrides) -> dict:
    body = {
        "municipality": "Gemeente Dijkstede",
        "reporter": {"channel": "rest", "sender_id": "u-1", "email": "piet@dijkstede.nl"},
        "type": "incident",
        "application": "Key2Burgerzaken",
        "title": "Key2Burgerzaken loopt vast",
        "description": "Key2Burgerzaken loopt vast bij het opslaan van een paspoortaanvraag",
        "impact": "medium",
        "urgency": "high",
    }
    body.update(overrides)
    return body


async def _create(client, **overrides) -> dict:
    resp = await client.post("/api/tickets", json=ticket_body(**overrides), headers=AUTH)
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def test_health_and_openapi_are_public(client):
    resp = await client.get("/api/health")
    assert resp.status == 200 and await resp.json() == {"status": "ok"}
    resp = await client.get("/api/openapi.json")
    assert resp.status == 200 and (await resp.json())["openapi"].startswith("3.")


ENDPOINTS = [
    ("GET", "/api/catalogue"),
    ("POST", "/api/route"),
    ("POST", "/api/tickets"),
    ("GET", "/api/tickets"),
    ("GET", "/api/tickets/M-2026-000001"),
    ("POST", "/api/tickets/M-2026-000001/status"),
    ("POST", "/api/tickets/M-2026-000001/reassign"),
    ("POST", "/api/tickets/M-2026-000001/forward"),
    ("POST", "/api/tickets/M-2026-000001/comments"),
    ("GET", "/api/my/tickets"),
    ("GET", "/api/my/tickets/M-2026-000001"),
    ("POST", "/api/my/tickets/M-2026-000001/withdraw"),
    ("GET", "/api/outages"),
    ("POST", "/api/outages"),
    ("POST", "/api/outages/1"),
    ("POST", "/api/bot-resolutions"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token-wrong-token"}, {"Authorization": TEST_TOKEN}],
)
async def test_without_valid_credentials_401_and_nothing_changes(
    client, engine, method, path, headers
):
    await _create(client)  # M-2026-... exists, so a 404 cannot hide a missing auth check
    resp = await client.request(
        method, path.replace("2026", str(_year())), json=ticket_body(), headers=headers
    )
    assert resp.status == 401
    assert (await resp.json())["error"] == "missing or invalid service token"
    with Session(engine) as session:
        assert len(session.exec(select(Ticket)).all()) == 1


def _year() -> int:
    from datetime import UTC, datetime

    return datetime.now(UTC).year


async def test_create_routes_by_catalogue_and_municipality(client):
    dyk = await _create(client)
    assert dyk["reference"] == f"M-{_year()}-000001"
    assert (dyk["destination"], dyk["destination_name"], dyk["how"]) == (
        "centric",
        "Centric",
        "catalogue",
    )
    assert (dyk["municipality"], dyk["priority"], dyk["status"]) == ("DYK", "P2", "routed")
    plw = await _create(client, municipality="PLW", application="ibz")
    assert (plw["destination"], plw["application"]) == ("pinkroccade", "iBurgerzaken")
    security = await _create(client, type="security_incident", application="Microsoft 365")
    assert (security["destination"], security["how"]) == ("informatiebeveiliging", "rule")
    recognised = await _create(
        client,
        municipality="VHN",
        application=None,
        title="Storing",
        description="youforse laat mijn salarisstrook niet zien",
    )
    assert (recognised["destination"], recognised["application"]) == ("visma-raet", "Youforce")
    unknown = await _create(client, application=None, title="Vraag", description="er is iets raars")
    assert (unknown["destination"], unknown["how"], unknown["needs_review"]) == (
        "servicedesk",
        "triage",
        True,
    )


async def test_fetch_one_with_trail_and_list_with_filters(client):
    first = await _create(client)
    await _create(client, municipality="HRD", application="iSamenleving")
    resp = await client.get(f"/api/tickets/{first['reference'].lower()}", headers=AUTH)
    detail = await resp.json()
    assert resp.status == 200 and detail["reference"] == first["reference"]
    assert [e["kind"] for e in detail["events"]] == ["created", "routed", "status"]
    resp = await client.get("/api/tickets", params={"municipality": "HRD"}, headers=AUTH)
    page = await resp.json()
    assert page["total"] == 1 and page["tickets"][0]["destination"] == "pinkroccade"
    resp = await client.get(
        "/api/tickets", params={"reporter_email": "piet@dijkstede.nl", "open": "true"}, headers=AUTH
    )
    assert (await resp.json())["total"] == 2


async def test_status_reassign_and_comment(client):
    ref = (await _create(client))["reference"]
    resp = await client.post(
        f"/api/tickets/{ref}/status",
        json={"status": "in_progress", "actor": "sd-anna"},
        headers=AUTH,
    )
    assert resp.status == 200 and (await resp.json())["status"] == "in_progress"
    resp = await client.post(
        f"/api/tickets/{ref}/status", json={"status": "closed", "actor": "sd-anna"}, headers=AUTH
    )
    assert resp.status == 409
    assert "cannot go from 'in_progress' to 'closed'" in (await resp.json())["error"]
    resp = await client.post(
        f"/api/tickets/{ref}/reassign",
        json={"destination": "fb-burgerzaken", "actor": "sd-anna", "reason": "gebruiksvraag"},
        headers=AUTH,
    )
    assert resp.status == 200 and (await resp.json())["how"] == "staff"
    resp = await client.post(
        f"/api/tickets/{ref}/comments",
        json={"author": "sd-anna", "text": "Opgelost na herstart", "to_reporter": True},
        headers=AUTH,
    )
    assert resp.status == 201
    detail = await (await client.get(f"/api/tickets/{ref}", headers=AUTH)).json()
    assert detail["status"] == "in_progress" and detail["destination"] == "fb-burgerzaken"
    assert detail["comments"][0]["text"] == "Opgelost na herstart"
    assert [e["kind"] for e in detail["events"]][-3:] == ["status", "reassigned", "comment"]


async def test_route_without_creating_a_ticket(client, engine):
    resp = await client.post(
        "/api/route",
        json={
            "text": "paspoort opslaan faalt",
            "municipality": "PLW",
            "application": "iBurgerzaken",
        },
        headers=AUTH,
    )
    assert resp.status == 200
    assert await resp.json() == {
        "destination": "pinkroccade",
        "destination_name": "PinkRoccade Local Government",
        "how": "catalogue",
        "confidence": 1.0,
        "needs_review": False,
        "alternatives": [],
        "reasons": [],
    }
    resp = await client.post(
        "/api/route",
        json={
            "text": "verkeerde brief met bsn verstuurd",
            "municipality": "DYK",
            "type": "data_breach",
        },
        headers=AUTH,
    )
    assert (await resp.json())["destination"] == "privacy"
    with Session(engine) as session:
        assert session.exec(select(Ticket)).all() == []


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("POST", "/api/tickets", "{not json", 400, "body is not valid JSON"),
        ("POST", "/api/tickets", "[1, 2]", 422, "body must be a JSON object"),
        ("POST", "/api/tickets", ticket_body(colour="red"), 422, "colour: unknown field"),
        (
            "POST",
            "/api/tickets",
            ticket_body(description="x" * 10_001),
            422,
            "description: String should have at most 10000",
        ),
        (
            "POST",
            "/api/tickets",
            ticket_body(municipality="Amsterdam"),
            422,
            "unknown municipality 'Amsterdam'",
        ),
        ("POST", "/api/tickets", ticket_body(application="SAP"), 422, "unknown application 'SAP'"),
        (
            "POST",
            "/api/tickets",
            ticket_body(impact="enorm"),
            422,
            "impact: Input should be 'low', 'medium' or 'high'",
        ),
        (
            "POST",
            "/api/tickets",
            {k: v for k, v in ticket_body().items() if k != "title"},
            422,
            "title: Field required",
        ),
        (
            "POST",
            "/api/tickets",
            ticket_body(reporter={"channel": "rest", "sender_id": "x", "email": "geen-mail"}),
            422,
            "reporter.email",
        ),
        (
            "POST",
            "/api/route",
            {"text": "", "municipality": "DYK"},
            422,
            "text: String should have at least 1",
        ),
        ("GET", "/api/tickets/M-2026-999999", None, 404, "no ticket M-2026-999999"),
        ("GET", "/api/tickets/123", None, 422, "'123' is not a ticket reference"),
        ("GET", "/api/tickets?colour=red", None, 422, "colour: unknown field"),
        (
            "GET",
            "/api/tickets?limit=100000",
            None,
            422,
            "limit: Input should be less than or equal to 500",
        ),
        (
            "POST",
            "/api/tickets/M-2026-999999/status",
            {"status": "resolved", "actor": "x"},
            404,
            "no ticket",
        ),
        (
            "POST",
            "/api/tickets/M-2026-999999/status",
            {"status": "kapot", "actor": "x"},
            422,
            "status: Input should be",
        ),
        (
            "POST",
            "/api/tickets/M-2026-999999/comments",
            {"author": "x", "text": "hoi"},
            404,
            "no ticket",
        ),
        (
            "POST",
            "/api/tickets/M-2026-999999/reassign",
            {"destination": "werkplek", "actor": "x"},
            404,
            "no ticket",
        ),
        ("GET", "/api/nothing-here", None, 404, "Not Found"),
        ("DELETE", "/api/tickets", None, 405, "Method Not Allowed"),
    ],
)
async def test_bad_input_gets_a_clear_4xx(client, method, path, body, status, message):
    kwargs = {"data": body} if isinstance(body, str) else {"json": body}
    resp = await client.request(method, path, headers=AUTH, **kwargs)
    assert resp.status == status, await resp.text()
    assert message in (await resp.json())["error"]


async def test_reassign_to_unknown_destination(client):
    ref = (await _create(client))["reference"]
    resp = await client.post(
        f"/api/tickets/{ref}/reassign", json={"destination": "nasa", "actor": "x"}, headers=AUTH
    )
    assert resp.status == 422 and "unknown destination 'nasa'" in (await resp.json())["error"]


async def test_too_large_body_is_refused(client):
    resp = await client.post("/api/tickets", data="x" * 300_000, headers=AUTH)
    assert resp.status == 413
    assert "error" in await resp.json()


async def test_catalogue(client):
    resp = await client.get("/api/catalogue", headers=AUTH)
    data = await resp.json()
    assert [m["key"] for m in data["municipalities"]] == ["DYK", "VHN", "PLW", "HRD"]
    youforce = next(a for a in data["applications"] if a["name"] == "Youforce")
    assert youforce["routes"]["HRD"] == "visma-raet"


async def test_data_breach_deadline_counts_from_discovery(client):
    from datetime import UTC, datetime, timedelta

    discovered = (datetime.now(UTC) - timedelta(hours=5)).replace(microsecond=0)
    breach = ticket_body(type="data_breach", application=None, discovered_at=discovered.isoformat())
    resp = await client.post("/api/tickets", json=breach, headers=AUTH)
    assert resp.status == 201, await resp.text()
    deadline = datetime.fromisoformat((await resp.json())["notify_deadline_at"])
    assert deadline == discovered + timedelta(hours=72)
    # The API's ticket view shows the 72-hour clock (calendar hours) while it runs.
    shown = await (
        await client.get(f"/api/tickets/{(await resp.json())['reference']}", headers=AUTH)
    ).json()
    assert shown["breach"]["clock_running"] is True and shown["breach"]["decision"] is None
    assert 66.9 < shown["breach"]["hours_left"] <= 67
    assert shown["sla_state"] == "none" and shown["response_due_at"]
    # Without it, the 72 hours count from the report.
    created = await _create(client, type="data_breach", application=None)
    deadline = datetime.fromisoformat(created["notify_deadline_at"])
    assert timedelta(hours=71, minutes=59) < deadline - datetime.now(UTC) <= timedelta(hours=72)


@pytest.mark.parametrize(
    ("discovered_at", "message"),
    [
        ("2026-11-23T09:00:00", "discovered_at: Input should have timezone info"),
        (
            "2999-01-01T09:00:00+01:00",
            "discovered_at: Value error, discovered_at lies in the future",
        ),
        ("gisteren", "discovered_at: Input should be a valid datetime"),
    ],
)
async def test_bad_discovery_moment_is_refused(client, discovered_at, message):
    body = ticket_body(type="data_breach", discovered_at=discovered_at)
    resp = await client.post("/api/tickets", json=body, headers=AUTH)
    assert resp.status == 422
    assert message in (await resp.json())["error"]


async def test_the_ticket_names_the_application_of_the_work_not_the_assistants_everyday_word(
    client,
):
    text = "mijn wmo beschikking word niet aangemaakt in suite, hele team kan niet verder"
    created = await _create(client, application="Microsoft 365", title=text, description=text)
    assert created["destination"] == "centric"
    resp = await client.get(f"/api/tickets/{created['reference']}", headers=AUTH)
    assert (await resp.json())["application"] == "Suite4Sociaal Domein"
