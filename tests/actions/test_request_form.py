"""Issue 12: a service request has a form of its own (what, for whom and where, by when; no
sympathy, no impact question), every answer is read for every open question, and a
correction in free words at the summary changes or adds that field."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.breach_answers import breach_parts
from actions.request_text import addition, request_when, request_where
from actions.ticket_form import ActionStartTicket, ValidateTicketForm
from actions.ticket_summary import ActionAskConfirm, summary_lines
from actions.tickets import ActionCreateTicket, ticket_from_tracker
from tests.actions.conftest import make_tracker, responses

DOMAIN = {"forms": {"ticket_form": {"required_slots": [
    "municipality", "description", "affected", "urgency", "confirm", "callback_phone",
    "breach_data", "breach_people", "breach_discovered", "request_where", "request_when"]}}}


def _slots(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(("text", "where", "when"), [
    ("gemeentehuis, kamer 2.07", "gemeentehuis, kamer 2.07", None),
    ("voor mij, thuiswerkplek", "voor mij, thuiswerkplek", None),
    ("voor de nieuwe collega van team WMO", "voor de nieuwe collega van team WMO", None),
    ("ik heb voor maandag een docking nodig in kamer 2.07", "kamer 2.07", "voor maandag"),
    ("morgen", None, "morgen"), ("volgende week", None, "volgende week"),
    ("voor 1 december", None, "voor 1 december"), ("maakt niet uit", None, "maakt niet uit"),
    ("ik heb een extra toetsenbord nodig", None, None),
    ("ik heb een toner nodig voor de printer", None, None),
])
def test_for_whom_where_and_when_are_read_from_the_words(text, where, when):
    assert (request_where(text), request_when(text)) == (where, when)


@pytest.mark.parametrize(("text", "more"), [
    ("en graag ook een docking erbij", "een docking"), ("o ja, ook nog een muis", "een muis"),
    ("and also a mouse", "a mouse"), ("nee, het is kamer 3.41", None)])
def test_an_addition_at_the_summary(text, more):
    assert addition(text) == more


async def test_a_request_starts_without_sympathy_and_asks_no_impact(router):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ik heb een extra toetsenbord nodig", intent="request_service",
                           email="ria@dijkstede.nl")
    slots = _slots(await ActionStartTicket().run(dispatcher, tracker, {}))
    assert responses(dispatcher) == ["utter_request_start"]  # not "Vervelend!"
    assert slots["ticket_kind"] == "request"
    assert slots["description"] == "ik heb een extra toetsenbord nodig"
    assert slots["affected"] is None and slots["urgency"] is None
    form = ValidateTicketForm()
    required = await form.required_slots([], dispatcher, make_tracker("x", slots=slots), DOMAIN)
    assert required == ["municipality", "description", "request_where", "request_when", "confirm"]


async def test_what_the_first_message_says_is_not_asked():
    tracker = make_tracker("graag een docking station voor kamer 2.07, voor 1 december",
                           intent="request_service", email="ria@dijkstede.nl")
    slots = _slots(await ActionStartTicket().run(CollectingDispatcher(), tracker, {}))
    assert (slots["request_where"], slots["request_when"]) == ("kamer 2.07", "voor 1 december")


async def test_the_place_is_free_text_and_an_answer_fills_every_question_it_answers():
    form = ValidateTicketForm()
    dispatcher = CollectingDispatcher()
    text = "gemeentehuis, kamer 2.07"
    asked = make_tracker(text, intent="nlu_fallback", active_loop="ticket_form", slots={
        "ticket_kind": "request", "requested_slot": "request_where", "request_where": text})
    assert await form.validate_request_where(text, dispatcher, asked, DOMAIN) == {
        "request_where": "gemeentehuis, kamer 2.07"}
    both = "voor mij, kamer 2.07, graag voor vrijdag"
    asked = make_tracker(both, active_loop="ticket_form", slots={
        "ticket_kind": "request", "requested_slot": "request_where", "request_where": both})
    assert await form.extract_request_when(dispatcher, asked, DOMAIN) == {
        "request_when": "voor vrijdag"}
    assert await form.validate_request_where(both, dispatcher, asked, DOMAIN) == {
        "request_where": "voor mij, kamer 2.07"}
    assert responses(dispatcher) == []


async def test_ja_is_no_place_and_asks_again():
    form = ValidateTicketForm()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ja", intent="affirm", active_loop="ticket_form", slots={
        "ticket_kind": "request", "requested_slot": "request_when", "request_when": "ja"})
    assert await form.validate_request_when("ja", dispatcher, tracker, DOMAIN) == {
        "request_when": None, "form_misses": 1}


def _at_summary(text: str, entities=(), email=None, **slots):
    values = {"ticket_kind": "request", "municipality": "Gemeente Dijkstede",
              "description": "ik heb een extra toetsenbord nodig",
              "request_where": "gemeentehuis, kamer 2.07", "request_when": "morgen",
              "requested_slot": "confirm", "confirm": text, **slots}
    return make_tracker(text, entities=list(entities), active_loop="ticket_form", slots=values,
                        email=email)


@pytest.mark.parametrize(("text", "entities", "changed"), [
    ("nee, het is kamer 3.41", (), {"request_where": "kamer 3.41"}),
    ("en graag ook een docking erbij", (),
     {"description": "ik heb een extra toetsenbord nodig; ook: een docking"}),
    ("pas volgende week", (), {"request_when": "volgende week"}),
    ("het is Polderwaard, niet Dijkstede", (
        {"entity": "municipality", "value": "Gemeente Polderwaard", "start": 7, "end": 17},
        {"entity": "municipality", "value": "Gemeente Dijkstede", "start": 24, "end": 33}),
     {"municipality": "Gemeente Polderwaard"}),
    ("niet Dijkstede maar Polderwaard", (
        {"entity": "municipality", "value": "Gemeente Dijkstede", "start": 5, "end": 14},
        {"entity": "municipality", "value": "Gemeente Polderwaard", "start": 20, "end": 31}),
     {"municipality": "Gemeente Polderwaard"}),
])
async def test_a_correction_in_free_words_changes_that_field(text, entities, changed):
    dispatcher = CollectingDispatcher()
    tracker = _at_summary(text, entities)
    result = await ValidateTicketForm().validate_confirm(text, dispatcher, tracker, DOMAIN)
    assert result == {**changed, "confirm": None}
    assert responses(dispatcher) == []  # the form shows the summary again


async def test_an_unclear_change_asks_what_to_change_in_request_words():
    dispatcher = CollectingDispatcher()
    result = await ValidateTicketForm().validate_confirm("nee", dispatcher, _at_summary("nee"),
                                                         DOMAIN)  # fmt: skip
    assert result == {"confirm": None}
    assert responses(dispatcher) == ["utter_ask_what_to_change_request"]


async def test_the_request_summary_and_ticket(router):
    tracker = _at_summary("ja", email="ria@dijkstede.nl")
    lines = summary_lines(tracker)
    assert "- Soort: Aanvraag" in lines and "- Voor wie en waar: gemeentehuis, kamer 2.07" in lines
    assert "- Wanneer nodig: morgen" in lines and "last van" not in lines
    dispatcher = CollectingDispatcher()
    await ActionAskConfirm().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_request_summary"]
    body = ticket_from_tracker(tracker)
    assert body["type"] == "request" and body["title"] == "ik heb een extra toetsenbord nodig"
    assert "Voor wie en waar: gemeentehuis, kamer 2.07\nGewenst: morgen" in body["description"]
    created = CollectingDispatcher()
    await ActionCreateTicket().run(created, make_tracker("ja", intent="affirm",
                                   email="ria@dijkstede.nl", slots=dict(tracker.slots)), {})
    assert responses(created) == ["utter_ticket_created"]


def test_breach_details_in_one_message_of_several_parts():
    text = ("datalek: mail met gegevens naar de verkeerde persoon, gisteravond ontdekt, "
            "3 inwoners, naam en BSN, ik werk in Veenhoven")
    assert breach_parts(text) == {"breach_data": "naam en BSN", "breach_people": "3 inwoners",
                                  "breach_discovered": "gisteravond ontdekt"}
    assert breach_parts("ik heb een brief met BSN naar het verkeerde adres gestuurd") == {}


async def test_a_breach_report_that_says_it_all_asks_only_for_the_yes():
    text = ("ik heb een mail met BSN naar de verkeerde persoon gestuurd, gisteravond ontdekt, "
            "het gaat om 3 inwoners: naam en BSN, ik werk in Veenhoven")
    tracker = make_tracker(text, intent="report_data_breach", email="kees@veenhoven.nl", entities=[
        {"entity": "municipality", "value": "Gemeente Veenhoven", "start": 121, "end": 130}])
    slots = _slots(await ActionStartTicket().run(CollectingDispatcher(), tracker, {}))
    assert slots["breach_data"] == "naam en BSN" and slots["breach_people"] == "3 inwoners"
    assert slots["breach_discovered"] == "gisteravond ontdekt"
    form = ValidateTicketForm()
    required = await form.required_slots([], CollectingDispatcher(),
                                         make_tracker("x", slots=slots), DOMAIN)  # fmt: skip
    assert required[-1] == "confirm"


async def test_a_correction_at_the_breach_summary():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("nee, het waren 5 inwoners", active_loop="ticket_form", slots={
        "ticket_kind": "breach", "requested_slot": "confirm", "breach_people": "3 inwoners"})
    result = await ValidateTicketForm().validate_confirm("nee, het waren 5 inwoners", dispatcher,
                                                         tracker, DOMAIN)  # fmt: skip
    assert result == {"breach_people": "het waren 5 inwoners", "confirm": None}


async def test_an_application_named_in_any_answer_is_taken():
    form = ValidateTicketForm()
    tracker = make_tracker("Dijkstede, het gaat om k2b", active_loop="ticket_form", entities=[
        {"entity": "application", "value": "Key2Burgerzaken", "start": 23, "end": 26}],
        slots={"ticket_kind": "incident", "requested_slot": "municipality"})
    assert await form.extract_application(CollectingDispatcher(), tracker, DOMAIN) == {
        "application": "Key2Burgerzaken"}
    at_summary = make_tracker("k2b", active_loop="ticket_form", entities=[
        {"entity": "application", "value": "Key2Burgerzaken"}],
        slots={"ticket_kind": "incident", "requested_slot": "confirm"})
    assert await form.extract_application(CollectingDispatcher(), at_summary, DOMAIN) == {}
    form_events = await form.run(CollectingDispatcher(), tracker, DOMAIN)
    assert {"event": "slot", "name": "application", "value": "Key2Burgerzaken",
            "timestamp": None} in form_events
