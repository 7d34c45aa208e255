"""A report that reached the assistant as a greeting or a loose detail still starts a report;
a real greeting or detail is answered as before."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.incident_text import sounds_like_problem
from actions.loose_message import ActionReadLooseMessage
from actions.ticket_form import ActionStartTicket
from tests.actions.conftest import make_tracker, responses

REPORT = "mijn wmo beschikking word niet aangemaakt in suite, hele team kan niet verder"


@pytest.mark.parametrize("text", [
    REPORT, f"hoi, {REPORT}", "goedemorgen, de scanner bij de balie doet niks meer",
    "rijbewijs aanvraag blijft hangen bij het ondertekenen", "ik krijg een error bij inloggen",
])  # fmt: skip
def test_a_sentence_that_tells_what_goes_wrong_sounds_like_a_problem(text):
    assert sounds_like_problem(text)


@pytest.mark.parametrize("text", [
    "hoi", "goedemorgen allemaal", "ik werk bij Veenhoven", "Dijkstede", "niet zo dringend",
    "laat maar, het doet het weer", "ok het werkt nu weer, bedankt", "is al opgelost hoor",
])  # fmt: skip
def test_greetings_details_and_its_fixed_do_not(text):
    assert not sounds_like_problem(text)


def _slots(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize("intent", ["inform", "greet"])
async def test_a_report_read_as_a_detail_or_greeting_starts_the_report(intent):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(f"hoi, {REPORT}", intent=intent, email="sanne@dijkstede.nl")
    events = await ActionReadLooseMessage().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_incident_start"]
    slots = _slots(events)
    assert slots["ticket_kind"] == "incident" and slots["description"] == f"hoi, {REPORT}"
    assert slots["affected"] == "medium"  # "hele team": not asked again
    assert events[-1] == {"event": "followup", "name": "ticket_form", "timestamp": None}


@pytest.mark.parametrize(("text", "intent", "answer"), [
    ("hoi", "greet", "utter_greet"),
    ("ik werk bij Veenhoven", "inform", "utter_how_can_i_help"),
    ("laat maar, het doet het weer", "inform", "utter_how_can_i_help"),
])
async def test_a_greeting_or_detail_is_answered_and_starts_nothing(text, intent, answer):
    dispatcher = CollectingDispatcher()
    events = await ActionReadLooseMessage().run(dispatcher, make_tracker(text, intent=intent), {})
    assert (responses(dispatcher), events) == ([answer], [])


async def test_inside_a_form_a_greeting_starts_no_second_report():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(f"hoi, {REPORT}", intent="greet", active_loop="ticket_form",
                           slots={"ticket_kind": "incident", "requested_slot": "urgency"})
    assert await ActionReadLooseMessage().run(dispatcher, tracker, {}) == []
    assert responses(dispatcher) == ["utter_greet"]


def _entity(entity: str, value: str, text: str, word: str) -> dict:
    start = text.index(word)
    return {"entity": entity, "value": value, "start": start, "end": start + len(word)}


async def test_an_everyday_word_next_to_named_work_is_no_application(router):
    # "word" is Microsoft Word to the catalogue, and a typo of "wordt" to this employee.
    text = "mijn wmo beschikking word niet aangemaakt, hele team kan niet verder"
    entities = [_entity("application", "Microsoft 365", text, "word"),
                _entity("domain_term", "sociaal domein", text, "wmo")]  # fmt: skip
    tracker = make_tracker(text, intent="report_incident", entities=entities,
                           email="kees@dijkstede.nl")  # fmt: skip
    events = await ActionStartTicket().run(CollectingDispatcher(), tracker, {})
    assert _slots(events)["application"] is None  # the summary shows no Microsoft 365


async def test_a_named_application_or_an_everyday_word_alone_still_counts(router):
    text = "outlook laat de wmo beschikking niet zien"
    entities = [_entity("application", "Microsoft 365", text, "outlook"),
                _entity("domain_term", "sociaal domein", text, "wmo")]  # fmt: skip
    tracker = make_tracker(text, intent="report_incident", entities=entities)
    events = await ActionStartTicket().run(CollectingDispatcher(), tracker, {})
    assert _slots(events)["application"] == "Microsoft 365"
    alone = "word crasht steeds"
    tracker = make_tracker(alone, intent="report_incident",
                           entities=[_entity("application", "Microsoft 365", alone, "word")])
    events = await ActionStartTicket().run(CollectingDispatcher(), tracker, {})
    assert _slots(events)["application"] == "Microsoft 365"


async def test_a_yes_with_more_words_to_the_offer_of_a_ticket_starts_it():
    from actions.fallback import ActionHandleFallback

    tracker = make_tracker("ja graag, ik werk bij polderwaard", intent="nlu_fallback",
                           email="mark@polderwaard.nl",
                           slots={"faq_question": "hoe reset ik mijn wachtwoord"})  # fmt: skip
    tracker.events[-1:-1] = [{"event": "action", "name": "action_faq_not_helped"},
                             {"event": "action", "name": "action_listen"}]  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ActionHandleFallback().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_question_start"]
    assert _slots(events)["description"] == "hoe reset ik mijn wachtwoord"
    assert events[-1]["name"] == "ticket_form"
    other = make_tracker("ja graag, ik werk bij polderwaard", intent="nlu_fallback")
    plain = CollectingDispatcher()  # no offer before it: just not understood
    assert await ActionHandleFallback().run(plain, other, {}) == []
    assert responses(plain) == ["utter_default"]
