"""Signing suppliers' messages, and what a forward's keys and addresses look like."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from router.domain import forwarding as rules

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
SECRET = "supplier-secret-0123456789"
BODY = b'{"reference": "M-2026-000001", "status": "resolved"}'


def _signed(at: datetime = NOW, body: bytes = BODY, secret: str = SECRET) -> dict:
    timestamp = str(int(at.timestamp()))
    return {"timestamp": timestamp, "signature": rules.signature_header(secret, timestamp, body)}


def test_a_signed_body_verifies_within_five_minutes():
    assert rules.verify(SECRET, body=BODY, now=NOW, **_signed()) == rules.sign(
        SECRET, str(int(NOW.timestamp())), BODY
    )
    late = _signed(NOW - timedelta(minutes=4, seconds=59))
    assert rules.verify(SECRET, body=BODY, now=NOW, **late)


@pytest.mark.parametrize(
    ("headers", "body", "message"),
    [
        ({"timestamp": None, "signature": None}, BODY, "missing"),
        (_signed(), BODY + b" ", "does not match"),  # the body was changed on its way
        (_signed(secret="another-suppliers-secret"), BODY, "does not match"),
        (_signed(NOW - timedelta(minutes=6)), BODY, "more than 5 minutes"),
        (_signed(NOW + timedelta(minutes=6)), BODY, "more than 5 minutes"),
        ({"timestamp": "gisteren", "signature": "sha256=00"}, BODY, "unix seconds"),
    ],
)
def test_every_wrong_signature_is_refused_with_its_reason(headers, body, message):
    with pytest.raises(rules.BadSignature, match=message):
        rules.verify(SECRET, body=body, now=NOW, **headers)


def test_keys_message_ids_and_reply_addresses():
    key = rules.forward_key("M-2026-000123", 17)
    assert key == "M-2026-000123/forward/17"
    assert rules.message_id(key, "de-delta.example.org").startswith("<M-2026-000123.forward.17.")
    assert rules.reply_address("regie@de-delta.example.org", "M-2026-000123") == (
        "regie+M-2026-000123@de-delta.example.org"
    )
    assert rules.reference_of_subject("Re: [M-2026-000123] Melding") == "M-2026-000123"
    assert rules.reference_of_subject("Geen referentie") is None


def test_unset_secrets_are_named(org):
    everything = {name: "x" for name in rules.unset_secrets(org, {})}
    assert "LOKET_SUPPLIER_CENTRIC_PASSWORD" in everything
    assert "LOKET_SUPPLIER_PINKROCCADE_SECRET" in everything
    assert rules.unset_secrets(org, everything) == []
