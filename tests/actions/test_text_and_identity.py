"""Pure helpers: references, plain-word answers, identity from metadata, moments."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from actions.identity import (
    employee_email,
    identified,
    municipality_of,
    municipality_of_email,
    reporter,
    who,
)
from actions.incident_text import parse_affected, parse_urgency
from actions.references import normalise_reference
from actions.wording import moment
from tests.actions.conftest import make_tracker


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M-2026-000123", "M-2026-000123"),
        ("hoe staat het met m-2026-123?", "M-2026-000123"),
        ("melding 45", "M-2026-000045"),
        ("123", "M-2026-000123"),
        ("de foutcode is 500 bij opslaan", None),
        ("", None),
    ],
)
def test_normalise_reference(text, expected):
    assert normalise_reference(text, today=date(2026, 3, 2)) == expected


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("alleen ik", "low"),
        ("1", "low"),
        ("mijn hele team", "medium"),
        ("3 collega's", "medium"),
        ("iedereen", "high"),
        ("meerdere afdelingen", "high"),
        ("everyone", "high"),
        ("tja", None),
    ],
)
def test_parse_affected(text, level):
    assert parse_affected(text) == level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("ik kan niet werken", "high"),
        ("er staan burgers te wachten", "high"),
        ("1", "high"),
        ("lastig, maar ik kan verder", "medium"),
        ("het kan wel even wachten", "low"),
        ("niet zo dringend", "low"),
        ("geen idee", None),
    ],
)
def test_parse_urgency(text, level):
    assert parse_urgency(text) == level


def test_email_from_metadata_and_who():
    tracker = make_tracker("hoi", email="Anna@Dijkstede.nl")
    assert employee_email(tracker) == "anna@dijkstede.nl"
    assert who(tracker) == {"email": "anna@dijkstede.nl"}
    anonymous = make_tracker("hoi", sender="tg-42")
    assert employee_email(anonymous) is None
    assert who(anonymous) == {"channel": "rest", "sender_id": "tg-42"}


def test_municipality_of_email():
    catalogue = {"municipalities": [{"name": "Gemeente Dijkstede", "email_domain": "dijkstede.nl"}]}
    assert municipality_of_email("anna@dijkstede.nl", catalogue) == "Gemeente Dijkstede"
    assert municipality_of_email("anna@example.org", catalogue) is None


def test_moment_in_amsterdam_time():
    now = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
    assert moment("2026-03-03T11:00:00Z", "nl", now) == "dinsdag 3 maart om 12:00"
    assert moment("2026-03-02T14:30:00+00:00", "nl", now) == "vandaag om 15:30"
    assert moment("2026-03-03T11:00:00Z", "en", now) == "Tuesday 3 March at 12:00"


def _teams(metadata: dict):
    tracker = make_tracker("hoi", sender="aad-object-1", channel="msteams")
    tracker.latest_message["metadata"] = metadata
    return tracker


def test_teams_identity_comes_from_the_channel(monkeypatch):
    monkeypatch.delenv("LOKET_TRUST_REST_EMAIL", raising=False)
    address = '{"service_url": "https://smba.example/emea/", "conversation": "a:1"}'
    tracker = _teams({"email": "Anna@Dijkstede.nl", "identity": "teams-aad",
                      "teams_address": address})  # fmt: skip
    assert identified(tracker) and employee_email(tracker) == "anna@dijkstede.nl"
    assert reporter(tracker) == {"channel": "msteams", "sender_id": "aad-object-1",
                                 "email": "anna@dijkstede.nl", "name": None,
                                 "address": address}  # fmt: skip
    unmarked = _teams({"email": "anna@dijkstede.nl"})  # not put there by the channel
    assert not identified(unmarked) and employee_email(unmarked) is None
    assert "address" not in reporter(unmarked)


def test_on_teams_the_tenant_names_the_municipality(monkeypatch):
    monkeypatch.delenv("LOKET_TRUST_REST_EMAIL", raising=False)
    catalogue = {"municipalities": [
        {"key": "DYK", "name": "Gemeente Dijkstede", "email_domain": "dijkstede.nl"},
        {"key": "VHN", "name": "Gemeente Veenhoven", "email_domain": "veenhoven.nl"}]}  # fmt: skip
    tracker = _teams({"email": "anna@delta-ict.onmicrosoft.com", "identity": "teams-aad",
                      "municipality": "VHN"})  # fmt: skip
    assert municipality_of(tracker, catalogue) == "Gemeente Veenhoven"
    by_mail = make_tracker("hoi", email="anna@dijkstede.nl")
    monkeypatch.setenv("LOKET_TRUST_REST_EMAIL", "true")
    assert municipality_of(by_mail, catalogue) == "Gemeente Dijkstede"
