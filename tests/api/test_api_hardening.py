"""Issue 11 on the API's side: idempotent ticket creation, control characters refused,
clean 4xx answers instead of 500s, no row values in database errors, no versions named."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import structlog
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from router.store.tables import Ticket
from tests.api.test_api import AUTH, _create, ticket_body

KEY = {"Idempotency-Key": "bot-conv-42:turn-7"}


def _tickets(engine) -> list[Ticket]:
    with Session(engine) as session:
        return list(session.exec(select(Ticket)).all())


# --- Idempotency-Key ---------------------------------------------------------------------


async def test_same_idempotency_key_twice_files_one_ticket(client, engine):
    first = await client.post("/api/tickets", json=ticket_body(), headers=AUTH | KEY)
    assert first.status == 201
    again = await client.post("/api/tickets", json=ticket_body(), headers=AUTH | KEY)
    assert again.status == 200
    assert await again.json() == await first.json()
    assert len(_tickets(engine)) == 1
    # Without a key, or with another, a request files a ticket of its own.
    await _create(client)
    other = await client.post(
        "/api/tickets", json=ticket_body(), headers=AUTH | {"Idempotency-Key": "other"}
    )
    assert other.status == 201
    assert len(_tickets(engine)) == 3


async def test_racing_requests_with_one_key_file_one_ticket(client, engine):
    responses = await asyncio.gather(
        *(client.post("/api/tickets", json=ticket_body(), headers=AUTH | KEY) for _ in range(6))
    )
    statuses = sorted(r.status for r in responses)
    assert statuses == [200, 200, 200, 200, 200, 201], statuses
    references = {(await r.json())["reference"] for r in responses}
    assert len(references) == 1
    assert len(_tickets(engine)) == 1


async def test_a_key_reused_for_another_request_is_refused(client, engine):
    assert (await client.post("/api/tickets", json=ticket_body(), headers=AUTH | KEY)).status == 201
    resp = await client.post(
        "/api/tickets", json=ticket_body(title="Iets anders"), headers=AUTH | KEY
    )
    assert resp.status == 422
    assert (
        "Idempotency-Key was already used for a different request" in (await resp.json())["error"]
    )
    assert len(_tickets(engine)) == 1


@pytest.mark.parametrize("key", ["", "x" * 201, "tab\there", "sleutel-ü"])
async def test_a_malformed_idempotency_key_is_refused(client, engine, key):
    resp = await client.post(
        "/api/tickets",
        json=ticket_body(),
        headers=AUTH | {"Idempotency-Key": key.encode("utf-8").decode("latin-1")},
    )
    assert resp.status == 422
    assert "Idempotency-Key: 1 to 200 printable ASCII" in (await resp.json())["error"]
    assert _tickets(engine) == []


# --- Control characters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/tickets", ticket_body(title="kapot\u0000"), "title"),
        ("/api/tickets", ticket_body(description="a\u001bb"), "description"),
        (
            "/api/tickets",
            ticket_body(reporter={"channel": "rest", "sender_id": "u\u0000"}),
            "reporter.sender_id",
        ),
        ("/api/outages", {"title": "x", "municipalities": ["DYK\u0007"]}, "municipalities"),
        ("/api/my/tickets/M-2026-000001/withdraw", {"email": "a@b.nl", "reason": "\x00"}, "reason"),
    ],
)
async def test_control_characters_are_refused_naming_the_field(client, engine, path, body, field):
    resp = await client.post(path, json=body, headers=AUTH)
    assert resp.status == 422, await resp.text()
    message = (await resp.json())["error"]
    assert message.startswith(f"{field}: Value error, contains control character U+00")
    assert "kapot" not in message  # the value itself is not echoed
    assert _tickets(engine) == []


async def test_control_character_in_a_query_is_refused(client):
    resp = await client.get("/api/tickets", params={"q": "a\u0000"}, headers=AUTH)
    assert resp.status == 422 and (await resp.json())["error"].startswith("q: ")


async def test_tabs_newlines_and_format_characters_are_kept(client):
    title = "\u200fשלום\u200d kapot"
    created = await _create(client, title=title, description="regel 1\r\nregel\t2")
    assert created["title"] == title
    assert created["description"] == "regel 1\r\nregel\t2"


# --- Database errors carry no row values -------------------------------------------------


def test_engine_errors_name_no_parameter_values(engine):
    with Session(engine) as session:
        values = {"id": 1, "email": "geheim.persoon@dijkstede.nl", "at": "2026-01-01 00:00:00"}
        insert = text("INSERT INTO employee (id, email, created_at) VALUES (:id, :email, :at)")
        session.execute(insert, values)
        with pytest.raises(IntegrityError) as caught:
            session.execute(insert, values | {"email": "tweede.persoon@dijkstede.nl"})
    message = str(caught.value)
    assert "tweede.persoon" not in message and "geheim.persoon" not in message
    assert "hidden due to hide_parameters" in message


async def test_a_database_error_is_logged_without_its_message(client, monkeypatch):
    from router.store import tickets as store

    class Original(Exception):
        sqlstate = "23505"

    def fails(*args, **kwargs):
        raise IntegrityError(
            "INSERT ...", None, Original("Key (email)=(geheim.persoon@dijkstede.nl) exists")
        )

    monkeypatch.setattr(store, "create_ticket", fails)
    with structlog.testing.capture_logs() as logs:
        resp = await client.post("/api/tickets", json=ticket_body(), headers=AUTH)
    assert resp.status == 500 and await resp.json() == {"error": "database error"}
    logged = [e for e in logs if e["event"] == "router.database.error"]
    assert logged and logged[0]["error"] == "Original" and logged[0]["sqlstate"] == "23505"
    assert "geheim" not in repr(logs)


# --- Clean 4xx instead of 500 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("POST", "/api/tickets", b'{"title": "caf\xe9"}', 400, "body is not UTF-8"),
        ("POST", "/api/tickets", b"[" * 100_000 + b"]" * 100_000, 400, "nested too deeply"),
        ("POST", "/api/tickets", b'{"a":' * 20_000 + b"1" + b"}" * 20_000, 400, "too deeply"),
        ("GET", f"/api/tickets?offset={2**63}", None, 422, "offset: Input should be less"),
        ("GET", f"/api/tickets?offset={2**64 + 5}", None, 422, "offset"),
        ("GET", "/api/tickets?offset=-1", None, 422, "offset"),
        ("GET", "/api/tickets?limit=0", None, 422, "limit"),
        ("GET", "/api/tickets?limit=abc", None, 422, "limit"),
        ("POST", "/api/outages/99999999999999999999", {"close": True}, 404, "no outage"),
        ("POST", f"/api/outages/{2**31}", {"close": True}, 404, "no outage"),
        ("POST", "/api/outages/0", {"close": True}, 404, "no outage"),
    ],
)
async def test_odd_input_gets_a_clean_4xx(client, method, path, body, status, message):
    kwargs = {"data": body} if isinstance(body, bytes) else {"json": body}
    resp = await client.request(method, path, headers=AUTH, **kwargs)
    assert resp.status == status, await resp.text()
    assert message in (await resp.json())["error"]


@pytest.mark.parametrize(
    "discovered_at",
    [
        "0001-01-01T00:00:00+01:00",
        "0001-01-01T00:00:00Z",
        "1999-12-31T23:00:00Z",
        (datetime.now(UTC) - timedelta(days=400)).isoformat(),
        "9999-12-31T23:59:59-12:00",
    ],
    ids=["year-1", "year-1-utc", "last-century", "400-days-ago", "year-9999"],
)
async def test_an_implausible_discovery_moment_is_refused(client, discovered_at):
    body = ticket_body(type="data_breach", discovered_at=discovered_at)
    resp = await client.post("/api/tickets", json=body, headers=AUTH)
    assert resp.status == 422, await resp.text()
    assert (await resp.json())["error"].startswith("discovered_at: ")


async def test_search_matches_percent_and_underscore_literally(client):
    await _create(client, title="Printer 100% kapot")
    await _create(client, title="Map a_b onvindbaar")
    await _create(client, title="Gewone melding")
    for q, title in [("%", "Printer 100% kapot"), ("_", "Map a_b onvindbaar")]:
        resp = await client.get("/api/tickets", params={"q": q}, headers=AUTH)
        page = await resp.json()
        assert [t["title"] for t in page["tickets"]] == [title], q
    resp = await client.get("/api/tickets", params={"q": "a%b"}, headers=AUTH)
    assert (await resp.json())["total"] == 0


async def test_a_destination_that_left_the_organisation_shows_its_key(client, engine):
    created = await _create(client)
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        ticket.destination = "team-opgeheven"
        session.add(ticket)
        session.commit()
    ref = created["reference"]
    resp = await client.get(f"/api/tickets/{ref}", headers=AUTH)
    assert resp.status == 200 and (await resp.json())["destination_name"] == "team-opgeheven"
    resp = await client.get("/api/tickets", headers=AUTH)
    assert resp.status == 200
    assert (await resp.json())["tickets"][0]["destination_name"] == "team-opgeheven"
    who = {"email": "piet@dijkstede.nl"}
    resp = await client.get("/api/my/tickets", params=who, headers=AUTH)
    assert resp.status == 200
    assert (await resp.json())["tickets"][0]["destination_name"] == "team-opgeheven"


@pytest.mark.parametrize("path", ["/api/health", "/api/tickets", "/api/nothing", "/staff/login"])
async def test_the_server_header_names_no_versions(client, path):
    resp = await client.get(path)
    assert resp.headers["Server"] == "Loket"


# --- Racing status changes ---------------------------------------------------------------


async def test_withdraw_and_resolve_sent_together_one_wins_the_other_409(client):
    for _ in range(5):
        ref = (await _create(client))["reference"]
        withdraw, resolve = await asyncio.gather(
            client.post(
                f"/api/my/tickets/{ref}/withdraw",
                json={"email": "piet@dijkstede.nl"},
                headers=AUTH,
            ),
            client.post(
                f"/api/tickets/{ref}/status",
                json={"status": "resolved", "actor": "sd-anna"},
                headers=AUTH,
            ),
        )
        assert sorted([withdraw.status, resolve.status]) == [200, 409]
        detail = await (await client.get(f"/api/tickets/{ref}", headers=AUTH)).json()
        assert detail["status"] == ("withdrawn" if withdraw.status == 200 else "resolved")
