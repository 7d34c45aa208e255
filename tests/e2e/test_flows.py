"""End to end, one test per conversation of issue 3: real Rasa server, action server and
router service over the REST channel; the store is checked afterwards.

The employee's e-mail address travels in the message metadata (see bot/credentials.yml).
"""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from router.store.engine import make_engine
from router.store.tables import BotResolution, Ticket
from tests.e2e.stack import Stack, say, stored

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"M-\d{4}-\d{6}")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def api(stack: Stack, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.ports['router']}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {stack.token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return json.load(response)


def ticket_count(stack: Stack) -> int:
    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as session:
            return len(session.exec(select(Ticket)).all())
    finally:
        engine.dispose()


def reference_in(answer: str) -> str:
    found = REFERENCE.search(answer)
    assert found, f"no ticket reference in the bot's answer: {answer!r}"
    return found.group(0)


def new_ticket(stack: Stack, email: str, title: str) -> str:
    created = api(
        stack,
        "POST",
        "/api/tickets",
        {
            "reporter": {"channel": "rest", "sender_id": f"seed-{email}", "email": email},
            "type": "incident",
            "application": "Youforce",
            "title": title,
            "description": title,
            "impact": "low",
            "urgency": "medium",
        },
    )
    return created["reference"]


def test_incident_with_identity_questions_summary_and_ticket(stack):
    email, sender = "anna@dijkstede.nl", "flow-anna"
    first = say(stack, sender, "Key2Burgerzaken geeft een foutmelding bij het opslaan", email)
    assert "gemeente" not in first.lower()  # known from the e-mail domain
    assert "hoeveel mensen" in first.lower(), first
    assert "dringend" in say(stack, sender, "alleen ik", email).lower()
    summary = say(stack, sender, "ik kan niet verder werken, er staan burgers te wachten", email)
    assert "Dijkstede" in summary and "Key2Burgerzaken" in summary and "Klopt dit?" in summary
    answer = say(stack, sender, "ja", email)
    reference = reference_in(answer)
    assert "doorgezet naar Centric" in answer and "uiterlijk" in answer, answer
    ticket, reporter = stored(stack, reference)
    assert (ticket.municipality, ticket.application, ticket.destination) == (
        "DYK",
        "Key2Burgerzaken",
        "centric",
    )
    assert (ticket.impact, ticket.urgency, ticket.priority) == ("low", "high", "P3")
    assert reporter.email == email
    assert "Medewerker: Key2Burgerzaken geeft een foutmelding" in (ticket.conversation or "")


def test_correction_at_the_summary(stack):
    sender = "flow-bram"
    say(stack, sender, "ibz geeft een foutmelding bij het opslaan van een verhuizing")
    assert "Hoeveel mensen" in say(stack, sender, "Polderwaard")
    say(stack, sender, "mijn hele team")
    summary = say(stack, sender, "het kan wachten")
    assert "Polderwaard" in summary and "je team of afdeling" in summary
    assert "aanpassen" in say(stack, sender, "nee").lower()
    corrected = say(stack, sender, "het is spoed, we kunnen niet werken")
    assert "je kunt niet verder werken" in corrected and "Klopt dit?" in corrected
    reference = reference_in(say(stack, sender, "ja klopt"))
    ticket, _ = stored(stack, reference)
    assert (ticket.municipality, ticket.destination) == ("PLW", "pinkroccade")
    assert (ticket.impact, ticket.urgency, ticket.priority) == ("medium", "high", "P2")


def test_stopping_midway_makes_no_ticket(stack):
    before = ticket_count(stack)
    say(stack, "flow-carla", "Youforce doet het niet", "carla@veenhoven.nl")
    say(stack, "flow-carla", "iedereen", "carla@veenhoven.nl")
    assert "geen melding" in say(stack, "flow-carla", "laat maar", "carla@veenhoven.nl").lower()
    assert ticket_count(stack) == before


def test_request_service(stack):
    sender, email = "flow-dirk", "dirk@heuvelrade.nl"
    asked = say(stack, sender, "ik heb toegang nodig tot de G-schijf van team WMO", email)
    assert "Voor wie is het" in asked and "Hoeveel mensen" not in asked, asked
    assert "Wanneer heb je het nodig" in say(stack, sender, "alleen voor mij", email)
    assert "Aanvraag" in say(stack, sender, "het kan wachten", email)
    reference = reference_in(say(stack, sender, "ja", email))
    ticket, _ = stored(stack, reference)
    assert (ticket.type, ticket.application, ticket.destination) == (
        "request",
        "Netwerkschijf",
        "netwerk",
    )


def test_security_incident_advice_first_then_ticket(stack):
    answer = say(
        stack,
        "flow-eva",
        "ik heb op een link in een rare phishing mail geklikt en mijn wachtwoord ingevuld",
        "eva@veenhoven.nl",
    )
    advice = answer.index("netwerk")
    assert "niet door" in answer and "Verwijder de mail niet" in answer
    reference = reference_in(answer)
    assert answer.index(reference) > advice  # advice first, then the ticket
    ticket, _ = stored(stack, reference)
    assert (ticket.type, ticket.destination) == ("security_incident", "informatiebeveiliging")
    assert ticket.priority in ("P1", "P2")


def test_data_breach_with_the_72_hour_deadline(stack):
    sender, email = "flow-fleur", "fleur@polderwaard.nl"
    first = say(stack, sender, "ik heb een brief met BSN naar het verkeerde adres gestuurd", email)
    assert "welke gegevens" in first.lower(), first
    assert "hoeveel mensen" in say(stack, sender, "naam, adres en BSN", email).lower()
    assert "ontdekt" in say(stack, sender, "1 persoon", email).lower()
    summary = say(stack, sender, "vanochtend om 9 uur", email)
    assert "Klopt dit?" in summary and "naam, adres en BSN" in summary, summary
    assert not REFERENCE.search(summary)  # no ticket without the employee's yes
    answer = say(stack, sender, "ja", email)
    reference = reference_in(answer)
    assert "72 uur" in answer and "Autoriteit Persoonsgegevens" in answer
    ticket, _ = stored(stack, reference)
    assert (ticket.type, ticket.destination, ticket.municipality) == (
        "data_breach",
        "privacy",
        "PLW",
    )
    # The 72 hours count from this morning's discovery, not from the report.
    nine = datetime.combine(datetime.now(AMSTERDAM).date(), time(9), tzinfo=AMSTERDAM)
    discovered = min(nine, ticket.created_at.replace(tzinfo=ticket.created_at.tzinfo or UTC))
    deadline = ticket.notify_deadline_at.replace(tzinfo=ticket.notify_deadline_at.tzinfo or UTC)
    assert abs(deadline - (discovered + timedelta(hours=72))) < timedelta(seconds=2)
    assert "Welke gegevens: naam, adres en BSN" in ticket.description


def test_status_own_ticket_with_staff_comment_and_someone_elses(stack):
    mine = new_ticket(stack, "gert@dijkstede.nl", "Youforce toont geen rooster")
    api(
        stack,
        "POST",
        f"/api/tickets/{mine}/comments",
        {
            "author": "Servicedesk",
            "text": "We hebben Visma Raet gevraagd te kijken.",
            "to_reporter": True,
        },
    )
    theirs = new_ticket(stack, "hanna@veenhoven.nl", "Youforce van Hanna")
    answer = say(stack, "flow-gert", f"hoe staat het met {mine}?", "gert@dijkstede.nl")
    assert (
        mine in answer and "Visma Raet" in answer and "We hebben Visma Raet gevraagd" in answer
    ), answer
    other = say(stack, "flow-gert", f"wat is de status van {theirs}", "gert@dijkstede.nl")
    missing = say(stack, "flow-gert", "wat is de status van M-2026-999999", "gert@dijkstede.nl")
    assert "Ik vind geen melding" in other and "Youforce van Hanna" not in other
    assert other.replace(theirs, "X") == missing.replace("M-2026-999999", "X")
    listing = say(stack, "flow-gert", "welke meldingen heb ik open staan?", "gert@dijkstede.nl")
    assert mine in listing and theirs not in listing


def test_withdraw_after_confirmation(stack):
    email = "ilse@heuvelrade.nl"
    reference = new_ticket(stack, email, "Youforce laat verlof niet zien")
    question = say(stack, "flow-ilse", f"{reference} mag dicht, het werkt weer", email)
    assert "intrekken" in question and reference in question
    answer = say(stack, "flow-ilse", "ja", email)
    assert "ingetrokken" in answer
    ticket, _ = stored(stack, reference)
    assert ticket.status == "withdrawn"


def test_known_outages(stack):
    api(
        stack,
        "POST",
        "/api/outages",
        {"title": "Youforce is traag door onderhoud bij Visma", "application": "Youforce"},
    )
    answer = say(stack, "flow-jan", "is er een storing bij Youforce?", "jan@dijkstede.nl")
    assert "Youforce is traag door onderhoud bij Visma" in answer, answer
    none = say(stack, "flow-jan", "ligt ArcGIS eruit?", "jan@dijkstede.nl")
    assert "geen bekende storing" in none, none


def test_faq_that_helped_is_recorded(stack):
    answer = say(stack, "flow-kim", "hoe stel ik een afwezigheidsbericht in?", "kim@dijkstede.nl")
    assert "Automatische antwoorden" in answer and "geholpen" in answer
    say(stack, "flow-kim", "ja, dat hielp", "kim@dijkstede.nl")
    engine = make_engine(stack.database_url)
    with Session(engine) as session:
        found = session.exec(
            select(BotResolution).where(BotResolution.topic == "faq/outlook_out_of_office")
        ).all()
    engine.dispose()
    assert [(r.helped, r.channel, r.municipality) for r in found] == [(True, "rest", "DYK")]


def test_faq_that_did_not_help_offers_a_prefilled_ticket(stack):
    sender, email = "flow-lars", "lars@veenhoven.nl"
    say(stack, sender, "ik ben mijn wachtwoord kwijt", email)
    assert "melding" in say(stack, sender, "nee", email)
    say(stack, sender, "ja graag", email)
    say(stack, sender, "alleen ik", email)
    assert "wachtwoord kwijt" in say(stack, sender, "1", email)
    reference = reference_in(say(stack, sender, "ja", email))
    ticket, _ = stored(stack, reference)
    assert ticket.type == "question" and "wachtwoord kwijt" in ticket.description


def test_human_handoff_makes_a_callback_ticket(stack):
    say(stack, "flow-mo", "hoi", "mo@polderwaard.nl")
    asked = say(stack, "flow-mo", "kan ik een medewerker spreken?", "mo@polderwaard.nl")
    assert not REFERENCE.search(asked) and "telefoonnummer" in asked, asked  # no yes yet
    confirm = say(stack, "flow-mo", "06-12345678, vanmiddag na 2 uur", "mo@polderwaard.nl")
    assert "terug te bellen (06-12345678, vanmiddag na 2 uur)" in confirm, confirm
    answer = say(stack, "flow-mo", "ja graag", "mo@polderwaard.nl")
    reference = reference_in(answer)
    assert "Servicedesk" in answer and "uiterlijk" in answer
    ticket, _ = stored(stack, reference)
    assert (ticket.type, ticket.destination) == ("callback", "servicedesk")
    assert "Medewerker: kan ik een medewerker spreken?" in (ticket.conversation or "")
    assert "Terugbellen: 06-12345678, vanmiddag na 2 uur" in ticket.description


def test_a_number_given_with_the_request_for_a_call_is_not_asked_for(stack):
    email = "mo@polderwaard.nl"
    asked = say(stack, "flow-call", "kan iemand me bellen? 0612345678, liefst na 2en", email)
    assert "terug te bellen (0612345678, liefst na 2en)" in asked, asked
    assert not REFERENCE.search(asked), asked  # still asks for the yes
    reference = reference_in(say(stack, "flow-call", "ja", email))
    ticket, _ = stored(stack, reference)
    assert ticket.type == "callback" and "0612345678, liefst na 2en" in ticket.description


def test_two_misunderstandings_offer_a_ticket_or_a_person(stack):
    first = say(stack, "flow-noor", "qwerty zxcv asdf")
    second = say(stack, "flow-noor", "blub blub bla")
    assert "Sorry" in first
    assert "medewerker" in second and "melding" in second and second != first


def test_english_is_answered_in_english(stack):
    answer = say(stack, "flow-olga", "hello, my outlook is not working", "olga@dijkstede.nl")
    assert "How many people are affected" in answer, answer


def test_a_person_in_the_middle_of_a_report_wins_over_the_question(stack):
    sender, email = "flow-bob", "bob@polderwaard.nl"
    before = ticket_count(stack)
    assert "How many people are affected" in say(stack, sender, "my laptop won't start", email)
    for nonsense in ("asdf qwerty", "blurp zorp"):
        again = say(stack, sender, nonsense, email)
        assert "1" in again and "3" in again and not REFERENCE.search(again), again
        assert "dringend" not in again.lower() and "urgent" not in again.lower(), again
    asked = say(stack, sender, "kan ik een medewerker spreken?", email)
    assert not REFERENCE.search(asked), asked
    say(stack, sender, "0612345678, de hele dag", email)
    reference = reference_in(say(stack, sender, "ja", email))
    ticket, reporter = stored(stack, reference)
    assert (ticket.type, ticket.destination, ticket.municipality) == (
        "callback",
        "servicedesk",
        "PLW",
    )
    assert reporter.email == email
    assert "Medewerker: my laptop won't start" in (ticket.conversation or "")
    assert "Medewerker: kan ik een medewerker spreken?" in (ticket.conversation or "")
    assert ticket_count(stack) == before + 1  # the call-back only, no incident ticket


def test_a_security_incident_in_the_middle_of_a_report_wins(stack):
    sender, email = "flow-quinn", "quinn@heuvelrade.nl"
    before = ticket_count(stack)
    assert (
        "hoeveel mensen"
        in say(stack, sender, "Youforce laat mijn rooster niet zien", email).lower()
    )
    answer = say(
        stack,
        sender,
        "ik heb op een link in een rare phishing mail geklikt en mijn wachtwoord ingevuld",
        email,
    )
    assert "netwerk" in answer and "Verwijder de mail niet" in answer, answer
    ticket, _ = stored(stack, reference_in(answer))
    assert (ticket.type, ticket.destination) == ("security_incident", "informatiebeveiliging")
    assert "phishing" in ticket.description and "rooster" not in ticket.description
    assert ticket_count(stack) == before + 1


def test_ja_klopt_is_no_municipality_the_question_comes_again(stack):
    sender = "flow-pim"  # no e-mail address: the bot must ask the municipality
    assert "Voor welke gemeente werk je?" in say(stack, sender, "ik heb een storing")
    again = say(stack, sender, "ja klopt")
    assert "Voor welke gemeente werk je?" in again and "Veenhoven" in again, again
    assert "Sorry, dat begreep ik niet" not in again
    assert "Wat gaat er precies mis" in say(stack, sender, "Veenhoven")
    assert "geen melding" in say(stack, sender, "laat maar").lower()


def test_withdrawing_in_the_middle_of_a_report_waits_for_the_report(stack):
    sender, email = "flow-rik", "rik@heuvelrade.nl"
    reference = new_ticket(stack, email, "Youforce laat mijn loonstrook niet zien")
    assert (
        "hoeveel mensen"
        in say(stack, sender, "de printer bij de balie drukt niets af", email).lower()
    )
    answer = say(stack, sender, f"{reference} mag dicht, het werkt weer", email)
    assert "nog bezig met een melding" in answer and "hoeveel mensen" in answer.lower(), answer
    assert "dringend" in say(stack, sender, "alleen ik", email).lower()  # the report goes on
    ticket, _ = stored(stack, reference)
    assert ticket.status != "withdrawn"
