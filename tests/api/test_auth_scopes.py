"""The assistant's scoped token (LOKET_ASSISTANT_TOKEN) opens exactly ASSISTANT_MAY_CALL;
the service token still opens everything."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from router.api import auth
from router.api.auth import ASSISTANT_MAY_CALL, SUPPLIER_SIGNED
from router.api.openapi import build_openapi
from router.app import create_app
from router.settings import Settings
from router.store.tables import Ticket
from tests.api.test_api import AUTH, ENDPOINTS, _create, _year, ticket_body
from tests.fixtures import SAMPLE_ORG, TEST_TOKEN

ASSISTANT_TOKEN = "test-assistant-token-9876543210"
ASSISTANT = {"Authorization": f"Bearer {ASSISTANT_TOKEN}"}
WHO = {"channel": "rest", "sender_id": "u-1"}

# What the assistant's action server calls (actions/router_client.py), and nothing else.
EXPECTED = {
    ("POST", "/api/tickets"),
    ("GET", "/api/my/tickets"),
    ("GET", "/api/my/tickets/{reference}"),
    ("POST", "/api/my/tickets/{reference}/withdraw"),
    ("POST", "/api/my/tickets/{reference}/reopen"),
    ("GET", "/api/outages"),
    ("GET", "/api/catalogue"),
    ("POST", "/api/bot-resolutions"),
    ("POST", "/api/links/start"),
    ("POST", "/api/links/confirm"),
    ("GET", "/api/links/{channel}/{sender_id}"),
    ("POST", "/api/channel-updates"),
    ("DELETE", "/api/channel-updates/{channel}/{update_id}"),
}


# Called by suppliers with their own signature instead of any token (router/api/suppliers.py).
EXPECTED_SIGNED = {("POST", "/api/suppliers/{key}/updates")}


@pytest.fixture
async def scoped_client(aiohttp_client, database_url, org):
    settings = Settings(
        service_token=TEST_TOKEN,
        assistant_token=ASSISTANT_TOKEN,
        database_url=database_url,
        org_file=SAMPLE_ORG,
    )
    return await aiohttp_client(create_app(settings, org))


def test_the_list_is_what_the_assistant_needs_and_names_real_operations():
    assert ASSISTANT_MAY_CALL == EXPECTED
    spec = build_openapi()
    described = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert described >= ASSISTANT_MAY_CALL
    # The OpenAPI document says which operations take the assistant's token.
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            schemes = {name for entry in op.get("security", []) for name in entry}
            assert ("assistantToken" in schemes) == ((method.upper(), path) in EXPECTED)


def test_supplier_signed_operations_take_a_signature_and_no_token():
    assert SUPPLIER_SIGNED == EXPECTED_SIGNED
    spec = build_openapi()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            schemes = {name for entry in op.get("security", []) for name in entry}
            signed = (method.upper(), path) in EXPECTED_SIGNED
            assert ("supplierSignature" in schemes) == signed
            if signed:
                assert schemes == {"supplierSignature"}
                headers = {p["name"] for p in op["parameters"] if p["in"] == "header"}
                assert headers == {"X-Loket-Timestamp", "X-Loket-Signature"}


@pytest.mark.parametrize("headers", [AUTH, ASSISTANT, {}])
async def test_no_token_opens_a_supplier_signed_operation(scoped_client, headers, monkeypatch):
    monkeypatch.setenv("LOKET_SUPPLIER_CENTRIC_SECRET", "centric-updates-secret-0123456789")
    reference = (await _create(scoped_client))["reference"]
    resp = await scoped_client.post(
        "/api/suppliers/centric/updates",
        json={"reference": reference, "status": "resolved"},
        headers=headers,
    )
    assert resp.status == 401  # unsigned: no token lets it through
    assert "X-Loket-Signature" in (await resp.json())["error"]


def _concrete(path: str, reference: str) -> str:
    return path.replace("M-2026-000001", reference).replace("{reference}", reference)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_assistant_token_opens_the_list_and_nothing_else(scoped_client, method, path):
    reference = (await _create(scoped_client))["reference"]
    template = path.replace("M-2026-000001", "{reference}").replace("/1", "/{outage_id}")
    url = _concrete(path, reference)
    params = WHO if method == "GET" and "/my/" in path else None
    body = {
        "/api/tickets": ticket_body(),
        "/api/bot-resolutions": {"topic": "vpn", "channel": "rest"},
    }
    resp = await scoped_client.request(
        method,
        url,
        json=body.get(path, WHO if "/my/" in path else {}),
        params=params,
        headers=ASSISTANT,
    )
    if (method, template) in ASSISTANT_MAY_CALL:
        assert resp.status in (200, 201), await resp.text()
    else:
        assert resp.status == 403, await resp.text()
        assert (await resp.json())["error"] == "the assistant's token may not call this endpoint"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/tickets", None),  # every ticket of every employee
        ("GET", "/api/tickets/{reference}", None),
        ("POST", "/api/tickets/{reference}/status", {"status": "resolved", "actor": "bot"}),
        ("POST", "/api/tickets/{reference}/reassign", {"destination": "werkplek", "actor": "bot"}),
        ("POST", "/api/tickets/{reference}/comments", {"author": "bot", "text": "hoi"}),
        ("POST", "/api/outages", {"title": "Alles plat"}),  # announcing outages is staff work
        ("POST", "/api/route", {"text": "paspoort", "municipality": "DYK"}),
    ],
)
async def test_assistant_token_gets_403_and_nothing_changes(
    scoped_client, engine, method, path, body
):
    reference = (await _create(scoped_client))["reference"]
    resp = await scoped_client.request(
        method, path.format(reference=reference), json=body, headers=ASSISTANT
    )
    assert resp.status == 403
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        assert (ticket.status, ticket.destination) == ("routed", "centric")
    # The same request with the service token is allowed.
    resp = await scoped_client.request(
        method, path.format(reference=reference), json=body, headers=AUTH
    )
    assert resp.status in (200, 201), await resp.text()


async def test_assistant_files_and_withdraws_its_reporters_ticket(scoped_client):
    resp = await scoped_client.post("/api/tickets", json=ticket_body(), headers=ASSISTANT)
    assert resp.status == 201
    reference = (await resp.json())["reference"]
    assert reference.startswith(f"M-{_year()}-")
    resp = await scoped_client.get("/api/my/tickets", params=WHO, headers=ASSISTANT)
    assert [t["reference"] for t in (await resp.json())["tickets"]] == [reference]
    resp = await scoped_client.post(
        f"/api/my/tickets/{reference}/withdraw", json=WHO, headers=ASSISTANT
    )
    assert resp.status == 200 and (await resp.json())["status"] == "withdrawn"


async def test_the_teams_channel_reads_tenant_ids_from_the_catalogue(scoped_client):
    resp = await scoped_client.get("/api/catalogue", headers=ASSISTANT)
    assert resp.status == 200
    tenants = {m["key"]: m["teams_tenants"] for m in (await resp.json())["municipalities"]}
    assert tenants["DYK"] == ["0d1e2f30-4a5b-4c6d-8e7f-0123456789ab"] and tenants["PLW"] == []


async def test_unknown_paths_keep_their_404_and_wrong_tokens_their_401(scoped_client):
    resp = await scoped_client.get("/api/nothing-here", headers=ASSISTANT)
    assert resp.status == 404
    resp = await scoped_client.get(
        "/api/catalogue", headers={"Authorization": f"Bearer {ASSISTANT_TOKEN}x"}
    )
    assert resp.status == 401


async def test_without_assistant_token_configured_it_opens_nothing(client):
    resp = await client.get("/api/catalogue", headers=ASSISTANT)
    assert resp.status == 401


async def test_both_tokens_are_compared_in_constant_time(scoped_client, monkeypatch):
    compared = []
    real = auth.hmac.compare_digest

    def spy(a, b):
        compared.append(b)
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    for headers in (AUTH, ASSISTANT, {"Authorization": "Bearer nope"}):
        compared.clear()
        await scoped_client.get("/api/catalogue", headers=headers)
        # Always both, whichever token was given (or none): no early exit on the first.
        assert sorted(compared) == sorted([TEST_TOKEN.encode(), ASSISTANT_TOKEN.encode()])


@pytest.mark.parametrize(
    ("assistant_token", "message"),
    [
        ("short", "at least 16"),
        (TEST_TOKEN, "must differ from LOKET_SERVICE_TOKEN"),
    ],
)
def test_assistant_token_setting_is_checked(assistant_token, message):
    with pytest.raises(ValueError, match=message):
        Settings(service_token=TEST_TOKEN, assistant_token=assistant_token)


def test_assistant_token_comes_from_its_environment_variable(monkeypatch):
    monkeypatch.setenv("LOKET_SERVICE_TOKEN", TEST_TOKEN)
    monkeypatch.setenv("LOKET_ASSISTANT_TOKEN", ASSISTANT_TOKEN)
    settings = Settings()
    assert settings.assistant_token is not None
    assert settings.assistant_token.get_secret_value() == ASSISTANT_TOKEN
