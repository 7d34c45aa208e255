"""Employee self-service, known outages and bot resolutions over the API."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from router.domain.vocabulary import BreachDecision
from router.store import breaches
from router.store.tables import BotResolution, utcnow
from tests.api.test_api import AUTH, ticket_body

ANNA = "anna@dijkstede.nl"
BOB = "bob@veenhoven.nl"


async def _create(client, email, **overrides) -> dict:
    body = ticket_body(
        reporter={"channel": "rest", "sender_id": email, "email": email}, **overrides
    )
    resp = await client.post("/api/tickets", json=body, headers=AUTH)
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def test_municipality_comes_from_the_email_domain(client):
    ticket = await _create(client, BOB, municipality=None)
    assert (ticket["municipality"], ticket["destination"]) == ("VHN", "centric")
    resp = await client.post(
        "/api/tickets",
        json=ticket_body(
            municipality=None,
            reporter={"channel": "rest", "sender_id": "x", "email": "x@gmail.com"},
        ),
        headers=AUTH,
    )
    assert resp.status == 422
    assert "e-mail domain names none" in (await resp.json())["error"]


async def test_an_employee_sees_only_their_own_tickets(client):
    mine = (await _create(client, ANNA))["reference"]
    theirs = (await _create(client, BOB))["reference"]
    resp = await client.post(
        f"/api/tickets/{mine}/comments",
        headers=AUTH,
        json={"author": "sd-anna", "text": "Centric kijkt ernaar", "to_reporter": True},
    )
    await client.post(
        f"/api/tickets/{mine}/comments",
        headers=AUTH,
        json={"author": "sd-anna", "text": "intern: bel Centric", "to_reporter": False},
    )
    resp = await client.get("/api/my/tickets", params={"email": ANNA}, headers=AUTH)
    assert [t["reference"] for t in (await resp.json())["tickets"]] == [mine]
    resp = await client.get(f"/api/my/tickets/{mine}", params={"email": ANNA}, headers=AUTH)
    detail = await resp.json()
    assert detail["destination_name"] == "Centric"
    assert [c["text"] for c in detail["comments"]] == ["Centric kijkt ernaar"]
    other = await client.get(f"/api/my/tickets/{theirs}", params={"email": ANNA}, headers=AUTH)
    missing = await client.get(
        "/api/my/tickets/M-2026-999999", params={"email": ANNA}, headers=AUTH
    )
    assert other.status == missing.status == 404
    assert (await other.json())["error"] == f"no ticket {theirs}"
    by_channel = await client.get(
        f"/api/my/tickets/{mine}", headers=AUTH, params={"channel": "rest", "sender_id": ANNA}
    )
    assert by_channel.status == 200
    nobody = await client.get("/api/my/tickets", headers=AUTH)
    assert nobody.status == 422


async def test_withdraw_only_ones_own_open_ticket(client):
    mine = (await _create(client, ANNA))["reference"]
    theirs = (await _create(client, BOB))["reference"]
    resp = await client.post(
        f"/api/my/tickets/{theirs}/withdraw", json={"email": ANNA}, headers=AUTH
    )
    assert resp.status == 404
    resp = await client.post(
        f"/api/my/tickets/{mine}/withdraw",
        json={"email": ANNA, "reason": "werkt weer"},
        headers=AUTH,
    )
    assert resp.status == 200 and (await resp.json())["status"] == "withdrawn"
    again = await client.post(
        f"/api/my/tickets/{mine}/withdraw", json={"email": ANNA}, headers=AUTH
    )
    assert again.status == 409
    theirs_now = await (await client.get(f"/api/tickets/{theirs}", headers=AUTH)).json()
    assert theirs_now["status"] == "routed"


async def test_a_reporter_reopens_only_their_own_resolved_ticket(client):
    mine = (await _create(client, ANNA))["reference"]
    theirs = (await _create(client, BOB))["reference"]

    async def reopen(reference):
        return await client.post(
            f"/api/my/tickets/{reference}/reopen", json={"email": ANNA}, headers=AUTH
        )

    not_yet = await reopen(mine)  # still open: nothing to reopen
    assert not_yet.status == 409 and "is not resolved" in (await not_yet.json())["error"]
    for reference in (mine, theirs):
        await client.post(
            f"/api/tickets/{reference}/status", json={"status": "resolved", "actor": "sd"},
            headers=AUTH,
        )  # fmt: skip
    assert (await reopen(theirs)).status == 404
    resp = await reopen(mine)
    assert resp.status == 200 and (await resp.json())["status"] == "reopened"
    listed = await client.get("/api/my/tickets", params={"email": ANNA}, headers=AUTH)
    assert [t["status"] for t in (await listed.json())["tickets"]] == ["reopened"]
    detail = await (await client.get(f"/api/tickets/{mine}", headers=AUTH)).json()
    assert (detail["events"][-1]["actor"], detail["events"][-1]["new_value"]) == (
        "reporter", "reopened"
    )
    theirs_now = await (await client.get(f"/api/tickets/{theirs}", headers=AUTH)).json()
    assert theirs_now["status"] == "resolved"


async def test_data_breach_and_security_tickets(client):
    breach = await _create(
        client, ANNA, type="data_breach", application=None, impact="low", urgency="low"
    )
    assert (breach["destination"], breach["priority"]) == ("privacy", "P2")
    assert breach["notify_deadline_at"] is not None
    callback = await _create(client, ANNA, type="callback", application=None)
    assert (callback["destination"], callback["how"]) == ("servicedesk", "rule")


async def test_the_reporter_sees_the_72_hours_of_a_breach_until_the_ap_is_told(client, engine):
    breach = await _create(client, ANNA, type="data_breach", application=None)
    ref = breach["reference"]

    async def mine() -> dict:
        resp = await client.get(f"/api/my/tickets/{ref}", params={"email": ANNA}, headers=AUTH)
        return await resp.json()

    assert (await mine())["ap_deadline_at"] == breach["notify_deadline_at"]
    with Session(engine) as session:
        breaches.record_decision(
            session, reference=ref, decision=BreachDecision.report, reason="BSN van 12 inwoners",
            actor="fg", now=utcnow(),
        )  # fmt: skip
        breaches.record_ap_notification(
            session, reference=ref, notified_at=utcnow(), ap_reference="AP-2026-17",
            actor="fg", now=utcnow(),
        )  # fmt: skip
        session.commit()
    assert (await mine())["ap_deadline_at"] is None  # told: the clock has stopped


async def test_outages_are_listed_per_application_and_municipality_and_link_new_tickets(client):
    resp = await client.post(
        "/api/outages",
        headers=AUTH,
        json={
            "title": "Youforce onbereikbaar",
            "application": "raet",
            "municipalities": ["DYK", "Gemeente Veenhoven"],
        },
    )
    assert resp.status == 201
    outage = await resp.json()
    assert (outage["application"], outage["municipalities"]) == ("Youforce", ["DYK", "VHN"])
    listed = await (
        await client.get(
            "/api/outages", params={"application": "Youforce", "municipality": "DYK"}, headers=AUTH
        )
    ).json()
    assert [o["id"] for o in listed["outages"]] == [outage["id"]]
    elsewhere = await (
        await client.get("/api/outages", params={"municipality": "HRD"}, headers=AUTH)
    ).json()
    assert elsewhere["outages"] == []
    ticket = await _create(client, ANNA, application="Youforce")
    assert ticket["outage_id"] == outage["id"]
    resp = await client.post(f"/api/outages/{outage['id']}", json={"close": True}, headers=AUTH)
    assert (await resp.json())["status"] == "closed"
    assert (await (await client.get("/api/outages", headers=AUTH)).json())["outages"] == []
    assert (await client.post("/api/outages/999", json={"close": True}, headers=AUTH)).status == 404


async def test_a_report_about_a_known_outage_is_linked_and_said_so_and_resolved_with_it(client):
    resp = await client.post(
        "/api/outages", headers=AUTH, json={"title": "Key2Burgerzaken is plat"}
    )
    outage = await resp.json()
    resp = await client.post(
        "/api/outages", headers=AUTH,
        json={"title": "Key2Burgerzaken onbereikbaar", "application": "k2b"},
    )  # fmt: skip
    incident = await resp.json()
    # The assistant lists it when asked about outages of the application.
    listed = await (
        await client.get("/api/outages", params={"application": "Key2Burgerzaken",
                         "municipality": "DYK"}, headers=AUTH)  # fmt: skip
    ).json()
    assert [o["title"] for o in listed["outages"]] == ["Key2Burgerzaken onbereikbaar"]
    first = await _create(client, ANNA)
    assert first["outage"] == {"id": incident["id"], "title": "Key2Burgerzaken onbereikbaar"}
    second = await _create(client, BOB)
    assert second["outage"]["id"] == incident["id"]
    other = await _create(client, ANNA, application="Youforce", title="Youforce traag",
                          description="Youforce is traag bij het openen van mijn loonstrook")
    assert (other["outage"], other["outage_id"]) == (None, None)
    assert outage["id"] != incident["id"]
    resp = await client.post(
        f"/api/outages/{incident['id']}", headers=AUTH,
        json={"close": True, "actor": "sd.anna", "note": "Centric heeft een patch geplaatst"},
    )  # fmt: skip
    assert (await resp.json())["status"] == "closed"
    for ticket in (first, second):
        detail = await (await client.get(f"/api/tickets/{ticket['reference']}", headers=AUTH)).json()
        assert (detail["status"], detail["outage"]) == ("resolved", None)
        last = detail["events"][-1]
        assert last["actor"] == "sd.anna"
        assert "Centric heeft een patch geplaatst" in last["note"]
    still = await (await client.get(f"/api/tickets/{other['reference']}", headers=AUTH)).json()
    assert still["status"] == "routed"


@pytest.mark.parametrize(
    "body", [{"topic": "faq/password_reset", "channel": "rest", "municipality": "DYK"}]
)
async def test_bot_resolutions_are_counted(client, engine, body):
    resp = await client.post("/api/bot-resolutions", json=body, headers=AUTH)
    assert resp.status == 201
    bad = await client.post(
        "/api/bot-resolutions", json={**body, "topic": "Wachtwoord <script>"}, headers=AUTH
    )
    assert bad.status == 422
    with Session(engine) as session:
        rows = session.exec(select(BotResolution)).all()
    assert [(r.topic, r.municipality, r.helped) for r in rows] == [
        ("faq/password_reset", "DYK", True)
    ]


async def test_a_reused_sender_id_never_files_under_the_first_person(client):
    from tests.api.test_api import AUTH, ticket_body

    reporter = {"channel": "rest", "sender_id": "kiosk-1"}
    for email in ("anna@dijkstede.nl", "carl@dijkstede.nl"):
        body = ticket_body(reporter={**reporter, "email": email})
        resp = await client.post("/api/tickets", json=body, headers=AUTH)
        assert resp.status == 201
        assert (await resp.json())["reporter_email"] == email
    resp = await client.get("/api/my/tickets", params={"email": "anna@dijkstede.nl"}, headers=AUTH)
    assert len((await resp.json())["tickets"]) == 1
