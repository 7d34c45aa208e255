"""POST /api/suppliers/{key}/updates: a supplier's signed news about a ticket forwarded to it.
Every refusal (unsigned, tampered, stale, replayed, malformed, not its ticket) changes nothing."""

from __future__ import annotations

import json
import time

import pytest

from router.domain.forwarding import signature_header
from tests.api.test_api import AUTH, _create

CENTRIC_SECRET = "centric-updates-secret-0123456789"
PINK_SECRET = "pinkroccade-updates-secret-987654"


@pytest.fixture(autouse=True)
def secrets(monkeypatch):
    monkeypatch.setenv("LOKET_SUPPLIER_CENTRIC_SECRET", CENTRIC_SECRET)
    monkeypatch.setenv("LOKET_SUPPLIER_PINKROCCADE_SECRET", PINK_SECRET)


def _signed(body: bytes, secret: str = CENTRIC_SECRET, at: float | None = None) -> dict:
    timestamp = str(int(time.time() if at is None else at))
    return {
        "X-Loket-Timestamp": timestamp,
        "X-Loket-Signature": signature_header(secret, timestamp, body),
        "Content-Type": "application/json",
    }


async def _post(client, payload, supplier="centric", secret=CENTRIC_SECRET, headers=None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = _signed(body, secret) if headers is None else headers
    return await client.post(f"/api/suppliers/{supplier}/updates", data=body, headers=headers)


async def _forwarded(client) -> str:
    """A ticket for Centric, forwarded by phone (status only): it may send updates."""
    reference = (await _create(client))["reference"]
    resp = await client.post(
        f"/api/tickets/{reference}/status",
        json={"status": "forwarded", "actor": "sd.anna"},
        headers=AUTH,
    )
    assert resp.status == 200
    return reference


async def _ticket(client, reference) -> dict:
    resp = await client.get(f"/api/tickets/{reference}", headers=AUTH)
    return await resp.json()


async def test_a_signed_update_sets_reference_status_and_note(client):
    reference = await _forwarded(client)
    resp = await _post(
        client,
        {"reference": reference, "status": "in_progress", "supplier_reference": "I 2611 042",
         "note": "Wij onderzoeken het."},
    )  # fmt: skip
    assert resp.status == 200, await resp.text()
    assert await resp.json() == {
        "reference": reference, "status": "in_progress", "supplier_reference": "I 2611 042",
    }  # fmt: skip
    ticket = await _ticket(client, reference)
    last = ticket["events"][-1]
    assert (last["actor"], last["new_value"], last["note"]) == (
        "leverancier:centric", "in_progress", "Wij onderzoeken het.",
    )  # fmt: skip
    resp = await _post(client, {"reference": reference.lower(), "status": "resolved"})
    assert resp.status == 200 and (await resp.json())["status"] == "resolved"


async def _unchanged(client, reference, before):
    after = await _ticket(client, reference)
    assert (after["status"], after["supplier_reference"], len(after["events"]),
            len(after["comments"])) == (before["status"], before["supplier_reference"],
                                        len(before["events"]), len(before["comments"]))  # fmt: skip


async def test_unsigned_tampered_stale_and_foreign_signatures_get_401(client):
    reference = await _forwarded(client)
    before = await _ticket(client, reference)
    body = json.dumps({"reference": reference, "status": "resolved"}).encode()
    signed = _signed(body)
    tampered = body.replace(b"resolved", b"in_progress")
    cases = [
        (body, {"Content-Type": "application/json"}),  # unsigned
        (body, AUTH),  # the service token is no signature
        (tampered, signed),  # the body changed after signing
        (body, _signed(body, at=time.time() - 301)),  # older than five minutes
        (body, _signed(body, secret=PINK_SECRET)),  # another supplier's secret
        (body, {**signed, "X-Loket-Signature": "sha256=" + "0" * 64}),
    ]
    for data, headers in cases:
        resp = await _post(client, data, headers=headers)
        assert resp.status == 401, (headers, await resp.text())
        assert "error" in await resp.json()
    await _unchanged(client, reference, before)


async def test_a_replay_is_refused_with_409_and_changes_nothing(client):
    reference = await _forwarded(client)
    body = json.dumps({"reference": reference, "note": "Wij bellen morgen terug."}).encode()
    headers = _signed(body)
    first = await _post(client, body, headers=headers)
    assert first.status == 200
    before = await _ticket(client, reference)
    assert [c["text"] for c in before["comments"]] == ["Wij bellen morgen terug."]
    again = await _post(client, body, headers=headers)
    assert again.status == 409 and "replay" in (await again.json())["error"]
    await _unchanged(client, reference, before)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"dit is geen json", "not a UTF-8 JSON object"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"reference": "REF"}', "reference"),
        (b'{"reference": "M-2026-000001"}', "at least one of status, supplier_reference"),
        (b'{"reference": "M-2026-000001", "status": "waiting"}', "status"),
        (b'{"reference": "M-2026-000001", "status": "closed"}', "status"),
        (b'{"reference": "M-2026-000001", "note": "a\\u0000b"}', "control character"),
        (b'{"reference": "M-2026-000001", "note": "x", "priority": "P1"}', "unknown field"),
    ],
)
async def test_a_malformed_body_is_422_with_a_clear_message(client, body, message):
    reference = await _forwarded(client)
    before = await _ticket(client, reference)
    body = body.replace(b"M-2026-000001", reference.encode())
    resp = await _post(client, body)
    assert resp.status == 422
    assert message in (await resp.json())["error"]
    await _unchanged(client, reference, before)


async def test_a_supplier_touches_only_tickets_forwarded_to_it(client):
    forwarded = await _forwarded(client)  # Centric's
    not_forwarded = (await _create(client))["reference"]  # Centric's, still routed
    before = await _ticket(client, forwarded)
    resp = await _post(
        client, {"reference": forwarded, "status": "resolved"}, "pinkroccade", PINK_SECRET
    )
    assert resp.status == 404
    resp = await _post(client, {"reference": not_forwarded, "status": "resolved"})
    assert resp.status == 404
    resp = await _post(client, {"reference": "M-2026-999999", "status": "resolved"})
    assert resp.status == 404
    await _unchanged(client, forwarded, before)
    assert (await _ticket(client, not_forwarded))["status"] == "routed"


async def test_unknown_suppliers_and_suppliers_without_updates_get_404(client):
    for key in ("niemand", "kpn", "xential"):  # KPN: no forwarding; Xential: no secret_env
        resp = await _post(client, {"reference": "M-2026-000001", "note": "x"}, key)
        assert resp.status == 404


async def test_a_step_the_state_machine_forbids_is_409(client):
    reference = await _forwarded(client)
    assert (await _post(client, {"reference": reference, "status": "resolved"})).status == 200
    await client.post(
        f"/api/tickets/{reference}/status", json={"status": "closed", "actor": "sd"}, headers=AUTH
    )
    resp = await _post(client, {"reference": reference, "status": "in_progress"})
    assert resp.status == 409


async def test_a_secret_missing_from_the_environment_is_503_not_a_pass(client, monkeypatch):
    monkeypatch.delenv("LOKET_SUPPLIER_CENTRIC_SECRET")
    reference = await _forwarded(client)
    resp = await _post(client, {"reference": reference, "status": "resolved"})
    assert resp.status == 503
    assert (await _ticket(client, reference))["status"] == "forwarded"


async def test_forward_through_the_api_then_the_supplier_answers(client):
    reference = (await _create(client))["reference"]
    resp = await client.post(
        f"/api/tickets/{reference}/forward", json={"actor": "sd.anna", "note": "Graag"},
        headers=AUTH,
    )  # fmt: skip
    assert resp.status == 200 and (await resp.json())["status"] == "forwarded"
    again = await client.post(f"/api/tickets/{reference}/forward", json={"actor": "sd"},
                              headers=AUTH)  # fmt: skip
    assert again.status == 409
    phone = (await _create(client, application="Telefonie"))["reference"]  # KPN: no method
    resp = await client.post(f"/api/tickets/{phone}/forward", json={"actor": "sd"}, headers=AUTH)
    assert resp.status == 422 and "geen doorzetmethode" in (await resp.json())["error"]
    resp = await _post(client, {"reference": reference, "supplier_reference": "I 2611 001"})
    assert resp.status == 200
