"""Issue 12: stopping anywhere in a form, choices inferred from the words or answered by
number, button or words, two misses offer buttons and ways out, the 72 hours first."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.incident_text import (
    callback_details,
    infer_affected,
    infer_urgency,
    parse_affected,
    parse_urgency,
)
from actions.ticket_form import (
    ActionCancelTicket,
    ActionStartTicket,
    ValidateTicketForm,
    start_events,
)
from actions.tickets import ActionCreateTicket
from tests.actions.conftest import make_tracker, responses

DOMAIN = {"forms": {"ticket_form": {"required_slots": [
    "municipality", "description", "affected", "urgency", "confirm",
    "callback_phone", "breach_data", "breach_people", "breach_discovered"]}}}
ROOT = Path(__file__).resolve().parents[2]


def _slots(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(("text", "intent", "asked"), [
    ("laat maar, hij doet het alweer", "withdraw_ticket", "affected"),
    ("doei", "goodbye", "urgency"),
    ("laat maar zitten, opgelost", "inform", "description"),
    ("nee laat maar", "deny", "confirm"),
    ("het werkt alweer", "inform", "municipality"),
])
async def test_stopping_anywhere_in_the_form_ends_it(text, intent, asked):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent=intent, active_loop="ticket_form",
                           slots={"ticket_kind": "incident", "requested_slot": asked, asked: text})
    slots = _slots(await ValidateTicketForm().run(dispatcher, tracker, DOMAIN))
    assert slots == {asked: None, "ticket_stopped": True, "requested_slot": None}
    assert responses(dispatcher) == []  # action_create_ticket says it, after the form


async def test_a_stopped_form_files_nothing_and_doei_also_says_goodbye(router):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("doei", intent="goodbye", email="eva@dijkstede.nl", slots={
        "ticket_stopped": True, "ticket_kind": "incident", "municipality": "Gemeente Dijkstede",
        "description": "Outlook start niet", "affected": "low", "urgency": "high"})
    events = await ActionCreateTicket().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_incident_cancelled", "utter_goodbye"]
    assert _slots(events)["ticket_stopped"] is None
    assert router.call("GET", "/api/my/tickets?email=eva@dijkstede.nl")["tickets"] == []
    quiet = CollectingDispatcher()
    await ActionCancelTicket().run(quiet, make_tracker("laat maar", intent="stop"), {})
    assert responses(quiet) == ["utter_incident_cancelled"]


@pytest.mark.parametrize(("text", "intent"), [
    ("het werkt weer niet", "inform"), ("laat maar weten wanneer het af is", "inform"),
    ("de gemeente is Veenhoven", "inform"),
    ("0612345678, de hele dag", "goodbye"),  # a number is an answer, whatever the NLU says
])
async def test_no_stop_without_stopping(text, intent):
    form = ValidateTicketForm()
    tracker = make_tracker(text, intent=intent, active_loop="ticket_form",
                           slots={"ticket_kind": "incident", "requested_slot": "urgency",
                                  "urgency": text})
    slots = _slots(await form.run(CollectingDispatcher(), tracker, DOMAIN))
    assert "ticket_stopped" not in slots


async def test_withdrawing_another_ticket_in_the_form_waits_greeting_and_thanks_are_answered():
    form = ValidateTicketForm()
    for text, intent, said in [
        ("trek M-2026-000123 in", "withdraw_ticket", "utter_finish_report_first"),
        ("hoi", "greet", "utter_form_greet"), ("bedankt", "thank", "utter_noworries"),
    ]:
        dispatcher = CollectingDispatcher()
        entities = ([{"entity": "ticket_number", "value": "M-2026-000123"}]
                    if intent == "withdraw_ticket" else [])
        tracker = make_tracker(text, intent=intent, entities=entities, active_loop="ticket_form",
                               slots={"ticket_kind": "incident", "requested_slot": "affected",
                                      "affected": text})
        assert _slots(await form.run(dispatcher, tracker, DOMAIN)) == {"affected": None}
        assert responses(dispatcher) == [said]


@pytest.mark.parametrize(("text", "affected", "urgency"), [
    ("niemand kan nu paspoorten uitgeven", "high", "high"),
    ("ik kan helemaal niet werken, Outlook start niet", None, "high"),
    ("de hele afdeling ligt plat", "medium", "high"),
    ("paspoortaanvraag loopt vast, hele balie kan niet verder", "medium", "high"),
    ("de printer print scheef maar het kan wachten", None, "low"),
    ("scherm flikkert, mag wel ff wachten hoor", None, "low"),
    ("de balie kan niet langer wachten op de printer", None, None),
    ("Key2Burgerzaken geeft een foutmelding bij opslaan", None, None),
    ("alleen ik heb er last van, niemand anders", "low", None),
])
def test_who_and_how_urgent_from_the_words(text, affected, urgency):
    assert (infer_affected(text), infer_urgency(text)) == (affected, urgency)


async def test_the_report_itself_fills_who_and_how_urgent():
    text = "niemand kan nu paspoorten uitgeven"
    tracker = make_tracker(text, intent="report_incident", email="anna@dijkstede.nl")
    slots = _slots(await ActionStartTicket().run(CollectingDispatcher(), tracker, {}))
    assert (slots["affected"], slots["urgency"]) == ("high", "high")


async def test_an_answer_to_another_question_fills_the_choices():
    form = ValidateTicketForm()
    text = "als ik opsla loopt hij vast, de hele afdeling ligt plat"
    tracker = make_tracker(text, active_loop="ticket_form", slots={
        "ticket_kind": "incident", "requested_slot": "description", "description": text,
        "municipality": "Gemeente Dijkstede"})
    tracker.events.append({"event": "slot", "name": "description", "value": text})  # from_text
    slots = _slots(await form.run(CollectingDispatcher(), tracker, DOMAIN))
    assert (slots["description"], slots["affected"], slots["urgency"]) == (text, "medium", "high")


@pytest.mark.parametrize(("text", "affected"), [
    ("1", "low"), ("alleen ik", "low"), ("2", "medium"), ("het hele team", "medium"),
    ("3", "high"), ("iedereen", "high")])
def test_affected_by_number_button_or_words(text, affected):
    assert parse_affected(text) == affected


@pytest.mark.parametrize(("text", "urgency"), [
    ("1", "high"), ("vandaag nog", "high"), ("ik kan niet werken", "high"),
    ("2", "medium"), ("deze week", "medium"), ("lastig maar het gaat", "medium"),
    ("3", "low"), ("kan wachten", "low"), ("geen haast", "low"),
    ("kan wel ff wachten", "low"), ("mag best even wachten hoor", "low"),
    ("het heeft echt geen haast", "low"), ("burgers staan te wachten", "high"),
    ("ze kunnen niet langer wachten", "high"), ("we kunnen echt niet meer wachten", "high"),
    ("we kunnen niks", "high")])
def test_urgency_by_number_button_or_words(text, urgency):
    assert parse_urgency(text) == urgency


async def test_ja_twice_where_a_choice_was_expected_offers_buttons_and_ways_out():
    form = ValidateTicketForm()
    first, second = CollectingDispatcher(), CollectingDispatcher()
    once = make_tracker("ja", intent="affirm", slots={"requested_slot": "urgency"})
    assert await form.validate_urgency("ja", first, once, DOMAIN) == {
        "urgency": None, "form_misses": 1}
    assert responses(first) == ["utter_not_understood_urgency"]
    twice = make_tracker("klopt", intent="affirm",
                         slots={"requested_slot": "urgency", "form_misses": 1})
    assert await form.validate_urgency("klopt", second, twice, DOMAIN) == {
        "urgency": None, "form_misses": 2}
    assert responses(second) == ["utter_choose_urgency"]
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text())
    payloads = [b["payload"] for b in domain["responses"]["utter_choose_urgency"][-1]["buttons"]]
    assert payloads == ["1", "2", "3", "maak de melding met wat je weet", "/human_handoff", "/stop"]
    as_is = make_tracker("maak de melding met wat je weet",
                         slots={"requested_slot": "urgency", "form_misses": 2})
    assert await form.validate_urgency("maak de melding met wat je weet", CollectingDispatcher(),
                                       as_is, DOMAIN) == {"urgency": "medium", "form_misses": None}


def test_a_data_breach_hears_about_the_72_hours_first():
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text())
    for variation in domain["responses"]["utter_breach_start"]:
        assert "72" in variation["text"]
    assert "Autoriteit Persoonsgegevens" in domain["responses"]["utter_breach_start"][-1]["text"]


async def test_one_answer_fills_every_breach_question_it_answers():
    form = ValidateTicketForm()
    text = "gisteravond ontdekt, het gaat om 3 inwoners: naam en BSN, ik werk in Veenhoven"
    tracker = make_tracker(
        text, active_loop="ticket_form",
        entities=[{"entity": "municipality", "value": "Gemeente Veenhoven", "start": 72, "end": 81}],
        slots={"ticket_kind": "breach", "requested_slot": "municipality", "municipality": text,
               "description": "brief met BSN naar verkeerd adres"})
    tracker.events.append({"event": "slot", "name": "municipality", "value": "Gemeente Veenhoven"})
    tracker.slots["municipality"] = "Gemeente Veenhoven"
    slots = _slots(await form.run(CollectingDispatcher(), tracker, DOMAIN))
    assert slots["breach_data"] == "naam en BSN"
    assert slots["breach_people"] == "3 inwoners"
    assert slots["breach_discovered"] == "gisteravond ontdekt"
    assert slots["municipality"] == "Gemeente Veenhoven"


async def test_an_answer_the_nlu_did_not_understand_still_fills_every_breach_question():
    form = ValidateTicketForm()
    text = "gisteren ontdekt, 4 clienten, naam adres en bsn"
    tracker = make_tracker(text, intent="nlu_fallback", active_loop="ticket_form", slots={
        "ticket_kind": "breach", "requested_slot": "breach_data", "breach_data": text,
        "municipality": "Gemeente Veenhoven", "description": "mail met bsn's verkeerd gestuurd"})
    tracker.events.append({"event": "slot", "name": "breach_data", "value": text})
    slots = _slots(await form.run(CollectingDispatcher(), tracker, DOMAIN))
    assert (slots["breach_data"], slots["breach_people"], slots["breach_discovered"]) == (
        "naam adres en bsn", "4 clienten", "gisteren ontdekt")


async def test_a_plain_breach_answer_answers_only_its_question():
    form = ValidateTicketForm()
    tracker = make_tracker("naam, adres en BSN", active_loop="ticket_form", slots={
        "ticket_kind": "breach", "requested_slot": "breach_data", "breach_data": "naam, adres en BSN",
        "municipality": "Gemeente Veenhoven", "description": "brief met BSN"})
    tracker.events.append({"event": "slot", "name": "breach_data", "value": "naam, adres en BSN"})
    slots = _slots(await form.run(CollectingDispatcher(), tracker, DOMAIN))
    assert slots["breach_data"] == "naam, adres en BSN"
    assert "breach_people" not in slots and "breach_discovered" not in slots


async def test_the_asked_breach_question_keeps_its_own_part_of_a_longer_answer():
    form = ValidateTicketForm()
    text = "naam en BSN, het gaat om 12 inwoners, vanochtend ontdekt"
    tracker = make_tracker(text, active_loop="ticket_form", slots={
        "ticket_kind": "breach", "requested_slot": "breach_data", "breach_data": text,
        "municipality": "Gemeente Veenhoven", "description": "brief met BSN"})
    tracker.events.append({"event": "slot", "name": "breach_data", "value": text})
    slots = _slots(await form.run(CollectingDispatcher(), tracker, DOMAIN))
    assert (slots["breach_data"], slots["breach_people"], slots["breach_discovered"]) == (
        "naam en BSN", "12 inwoners", "vanochtend ontdekt")


async def test_a_call_back_asks_phone_and_yes_first_and_nee_files_nothing():
    form = ValidateTicketForm()
    tracker = make_tracker("x", slots={"ticket_kind": "callback"}, email="mo@polderwaard.nl")
    assert await form.required_slots([], CollectingDispatcher(), tracker, DOMAIN) == [
        "municipality", "callback_phone", "confirm"]
    phone = make_tracker("06-12345678, vanmiddag na 2 uur", slots={
        "ticket_kind": "callback", "requested_slot": "callback_phone"})
    assert await form.validate_callback_phone(
        "06-12345678, vanmiddag na 2 uur", CollectingDispatcher(), phone, DOMAIN) == {
        "callback_phone": "06-12345678, vanmiddag na 2 uur"}
    for text, intent in [("nee", "deny"), ("nee hoor, laat maar", "deny")]:
        no = make_tracker(text, intent=intent, active_loop="ticket_form", email="mo@polderwaard.nl",
                          slots={"ticket_kind": "callback", "requested_slot": "confirm",
                                 "municipality": "Gemeente Polderwaard", "confirm": text,
                                 "callback_phone": "06-12345678"})
        no.events.append({"event": "slot", "name": "confirm", "value": text})
        slots = _slots(await form.run(CollectingDispatcher(), no, DOMAIN))
        assert slots["ticket_stopped"] is True and slots["requested_slot"] is None
    protest = make_tracker("maar het is echt van mijn collega hoor", intent="inform",
                           slots={"ticket_kind": "callback", "requested_slot": "confirm"})
    assert await form.validate_confirm("maar het is echt van mijn collega hoor",
                                       CollectingDispatcher(), protest, DOMAIN) == {"confirm": None}


@pytest.mark.parametrize(("text", "details"), [
    ("kan iemand me bellen? 0612345678, liefst na 2en", "0612345678, liefst na 2en"),
    ("bel me ff terug op 06-1234 5678", "06-1234 5678"),
    ("graag teruggebeld, +31 6 12345678 vanmiddag", "+31 6 12345678 vanmiddag"),
    ("kan iemand me bellen?", None),
    ("bel me over M-2026-000123", None),
])
def test_a_number_given_with_the_request_for_a_call_is_not_asked_again(text, details):
    assert callback_details(text) == details
    tracker = make_tracker(text, intent="human_handoff", email="mo@polderwaard.nl")
    assert _slots(start_events(tracker, "callback"))["callback_phone"] == details


async def test_a_breach_in_one_long_sentence_is_split_into_its_answers_and_ja_is_no_data():
    text = ("ik heb per ongeluk een excel met namen en bsn van 12 inwoners naar de verkeerde "
            "mailen gestuurd, vanochtend om 9 uur")
    tracker = make_tracker(text, intent="report_data_breach", email="kees@veenhoven.nl")
    slots = _slots(await ActionStartTicket().run(CollectingDispatcher(), tracker, {}))
    assert (slots["breach_data"], slots["breach_people"], slots["breach_discovered"]) == (
        "namen en bsn", "12 inwoners", "vanochtend om 9 uur")
    form = ValidateTicketForm()
    asked = make_tracker("ja", intent="affirm", active_loop="ticket_form", slots={
        "ticket_kind": "breach", "requested_slot": "breach_data", "breach_data": "ja",
        "municipality": "Gemeente Veenhoven", "description": "excel gemaild"})
    asked.events.append({"event": "slot", "name": "breach_data", "value": "ja"})
    slots = _slots(await form.run(CollectingDispatcher(), asked, DOMAIN))
    assert slots.get("breach_data") is None  # asked again, not "Welke gegevens: ja"
