"""ticket_form and action_create_ticket against a real router service."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.ticket_form import ActionStartTicket, ValidateTicketForm
from actions.tickets import ActionCreateTicket
from actions.wording import TIMEZONE, moment
from tests.actions.conftest import make_tracker, responses

DOMAIN = {"forms": {"ticket_form": {"required_slots": [
    "municipality", "description", "affected", "urgency", "confirm",
    "breach_data", "breach_people", "breach_discovered"]}}}


def _slots(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_start_security_incident_gives_advice_first():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ik heb op een link geklikt", intent="report_security_incident")
    events = await ActionStartTicket().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_security_advice"]
    assert SlotSet("ticket_kind", "security") in events


async def test_required_slots_per_kind():
    form = ValidateTicketForm()
    dispatcher = CollectingDispatcher()
    for kind, expected in [("incident", "confirm"), ("security", "description"),
                           ("breach", "confirm"), ("callback", "confirm"),
                           ("request", "confirm")]:
        tracker = make_tracker("x", slots={"ticket_kind": kind})
        slots = await form.required_slots([], dispatcher, tracker, DOMAIN)
        assert slots[-1] == expected


async def test_municipality_from_email_and_fuzzy(router):
    form = ValidateTicketForm()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("k2b is stuk", email="anna@veenhoven.nl")
    assert await form.extract_municipality(dispatcher, tracker, DOMAIN) == {
        "municipality": "Gemeente Veenhoven"}
    found = await form.validate_municipality("Dijkstee", dispatcher, make_tracker("Dijkstee"), DOMAIN)
    assert found == {"municipality": "Gemeente Dijkstede"}
    unknown = await form.validate_municipality("Amsterdam", dispatcher, make_tracker("x"), DOMAIN)
    assert unknown == {"municipality": None, "form_misses": 1}
    assert responses(dispatcher) == ["utter_unknown_municipality"]


async def test_confirm_yes_and_corrections():
    form = ValidateTicketForm()
    dispatcher = CollectingDispatcher()
    yes = make_tracker("ja klopt", intent="affirm")
    assert await form.validate_confirm("ja klopt", dispatcher, yes, DOMAIN) == {"confirm": "yes"}
    no = make_tracker("nee", intent="deny")
    assert await form.validate_confirm("nee", dispatcher, no, DOMAIN) == {"confirm": None}
    assert responses(dispatcher) == ["utter_ask_what_to_change"]
    move = make_tracker("de gemeente is Veenhoven", entities=[
        {"entity": "municipality", "value": "Gemeente Veenhoven", "start": 14, "end": 23}])
    assert await form.validate_confirm("de gemeente is Veenhoven", dispatcher, move, DOMAIN) == {
        "municipality": "Gemeente Veenhoven", "confirm": None}
    urgent = make_tracker("het is spoed")
    assert await form.validate_confirm("het is spoed", dispatcher, urgent, DOMAIN) == {
        "urgency": "high", "confirm": None}
    text = make_tracker("de omschrijving klopt niet")
    assert await form.validate_confirm("de omschrijving klopt niet", dispatcher, text, DOMAIN) == {
        "description": None, "confirm": None}


async def test_create_incident_ticket(router):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ja", intent="affirm", email="bas@dijkstede.nl", slots={
        "ticket_kind": "incident", "municipality": "Gemeente Dijkstede",
        "application": "Key2Burgerzaken", "description": "Key2Burgerzaken loopt vast bij opslaan",
        "affected": "medium", "urgency": "high", "confirm": "yes",
    }, history=[("user", "Key2Burgerzaken loopt vast bij opslaan"), ("bot", "Hoeveel mensen?")])
    events = await ActionCreateTicket().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_ticket_created"
    assert message["destination_name"] == "Centric" and message["priority"] == "P2"
    assert "om" in message["due"]
    assert _slots(events)["ticket_kind"] is None
    mine = router.call("GET", "/api/my/tickets?email=bas@dijkstede.nl")["tickets"]
    assert [t["reference"] for t in mine] == [message["reference"]]


async def test_create_data_breach_ticket_has_the_deadline_from_discovery(router):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("gisteren om 10 uur", email="cor@polderwaard.nl", slots={
        "ticket_kind": "breach", "description": "brief met BSN naar verkeerd adres",
        "breach_data": "naam en BSN", "breach_people": "ongeveer 250",
        "breach_discovered": "gisteren om 10 uur",
    })
    await ActionCreateTicket().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_breach_ticket_created"
    assert message["destination_name"] == "Privacy (FG)" and message["priority"] == "P1"
    yesterday = datetime.now(TIMEZONE).date() - timedelta(days=1)
    deadline = datetime.combine(yesterday, time(10), tzinfo=TIMEZONE) + timedelta(hours=72)
    assert message["deadline"] == moment(deadline.isoformat())  # 72 hours from discovery
    [row] = router.rows("SELECT type, destination, description, notify_deadline_at FROM ticket "
                        "WHERE reference = ?", message["reference"])
    assert row[:2] == ("data_breach", "privacy") and "Aantal betrokkenen: ongeveer 250" in row[2]
    stored = datetime.fromisoformat(str(row[3]))
    assert stored.replace(tzinfo=stored.tzinfo or timezone.utc) == deadline


async def test_create_security_and_callback_tickets(router):
    dispatcher = CollectingDispatcher()
    security = make_tracker("Dijkstede", email="dana@dijkstede.nl", slots={
        "ticket_kind": "security", "municipality": "Gemeente Dijkstede",
        "description": "mijn laptop is gestolen uit de auto"})
    await ActionCreateTicket().run(dispatcher, security, {})
    callback = make_tracker("medewerker", email="dana@dijkstede.nl", slots={
        "ticket_kind": "callback", "municipality": "Gemeente Dijkstede"})
    await ActionCreateTicket().run(dispatcher, callback, {})
    first, second = dispatcher.messages
    assert first["response"] == "utter_security_ticket_created" and first["priority"] in ("P1", "P2")
    assert first["destination_name"].startswith("Informatiebeveiliging")
    assert second["response"] == "utter_callback_created" and second["destination_name"] == "Servicedesk"




async def test_ja_klopt_is_no_municipality_the_question_comes_again_with_a_hint(router):
    form = ValidateTicketForm()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ja klopt", intent="affirm", slots={"requested_slot": "municipality"})
    assert await form.validate_municipality("ja klopt", dispatcher, tracker, DOMAIN) == {
        "municipality": None, "form_misses": 1}
    assert responses(dispatcher) == ["utter_municipality_hint"]


async def test_small_talk_is_no_description():
    form = ValidateTicketForm()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("bedankt", intent="thank", slots={"requested_slot": "description"})
    assert await form.validate_description("bedankt", dispatcher, tracker, DOMAIN) == {
        "description": None, "form_misses": 1}
    assert responses(dispatcher) == ["utter_need_more_description"]


async def test_second_misunderstanding_in_the_form_offers_a_person():
    form = ValidateTicketForm()
    once, twice = CollectingDispatcher(), CollectingDispatcher()
    first = make_tracker("asdf qwerty", intent="nlu_fallback", slots={"requested_slot": "affected"})
    assert await form.validate_affected("asdf qwerty", once, first, DOMAIN) == {
        "affected": None, "form_misses": 1}
    assert responses(once) == ["utter_not_understood_affected"]
    second = make_tracker("blurp zorp", intent="nlu_fallback", history=[("user", "asdf qwerty")],
                          slots={"requested_slot": "affected"})
    for event in second.events:
        if event.get("event") == "user" and event.get("text") == "asdf qwerty":
            event["parse_data"]["intent"] = {"name": "nlu_fallback"}
    assert await form.validate_affected("blurp zorp", twice, second, DOMAIN) == {
        "affected": None, "form_misses": 2}
    assert responses(twice) == ["utter_choose_affected"]  # the choices as buttons, ways out


async def test_security_incident_in_the_middle_of_a_report_describes_itself():
    dispatcher = CollectingDispatcher()
    text = "ik heb net op een link in een phishingmail geklikt"
    tracker = make_tracker(text, intent="report_security_incident", active_loop="ticket_form",
                           slots={"ticket_kind": "incident", "description": "mijn laptop start niet"})
    events = await ActionStartTicket().run(dispatcher, tracker, {})
    assert _slots(events)["description"] == text and _slots(events)["ticket_kind"] == "security"
    callback = await ActionStartTicket().run(
        CollectingDispatcher(), make_tracker("medewerker", intent="human_handoff"), {})
    assert _slots(callback)["description"] is None and _slots(callback)["ticket_kind"] == "callback"


async def test_security_incident_mid_form_switches_the_ticket_but_not_within_a_breach():
    form = ValidateTicketForm()
    dispatcher = CollectingDispatcher()
    text = "ik heb op een link in een phishing mail geklikt"
    tracker = make_tracker(text, intent="report_security_incident", active_loop="ticket_form",
                           slots={"ticket_kind": "incident", "requested_slot": "affected",
                                  "municipality": "Gemeente Veenhoven", "description": "laptop start niet"})
    slots = _slots(await form.run(dispatcher, tracker, DOMAIN))
    assert responses(dispatcher) == ["utter_security_advice"]
    assert (slots["ticket_kind"], slots["description"], slots["requested_slot"]) == ("security", text, None)
    within = CollectingDispatcher()
    breach = make_tracker("naam, adres en BSN", intent="report_data_breach", active_loop="ticket_form",
                          slots={"ticket_kind": "breach", "requested_slot": "breach_data",
                                 "municipality": "Gemeente Veenhoven", "description": "brief met BSN"})
    assert "ticket_kind" not in _slots(await form.run(within, breach, DOMAIN))
    assert responses(within) == []


async def test_a_report_about_a_known_outage_hears_so_and_is_linked(router):
    outage = router.call("POST", "/api/outages", {
        "title": "ArcGIS toont geen kaarten", "application": "ArcGIS"})  # fmt: skip
    try:
        dispatcher = CollectingDispatcher()
        tracker = make_tracker("ja", intent="affirm", email="gert@heuvelrade.nl", slots={
            "ticket_kind": "incident", "municipality": "Gemeente Heuvelrade",
            "application": "ArcGIS", "description": "ArcGIS laat geen kaartlagen zien",
            "affected": "medium", "urgency": "high", "confirm": "yes",
        })  # fmt: skip
        await ActionCreateTicket().run(dispatcher, tracker, {})
        [message] = dispatcher.messages
        assert message["response"] == "utter_ticket_known_outage"
        assert message["outage_title"] == "ArcGIS toont geen kaarten"
        [row] = router.rows("SELECT outage_id FROM ticket WHERE reference = ?", message["reference"])
        assert row == (outage["id"],)
        # Another kind of ticket about the application is not an outage report.
        request = make_tracker("ja", intent="affirm", email="gert@heuvelrade.nl", slots={
            "ticket_kind": "request", "municipality": "Gemeente Heuvelrade",
            "application": "ArcGIS", "description": "graag een ArcGIS-licentie voor een collega",
            "request_where": "kamer 2.07", "request_when": "maakt niet uit", "confirm": "yes",
        })  # fmt: skip
        await ActionCreateTicket().run(dispatcher, request, {})
        assert dispatcher.messages[-1]["response"] == "utter_ticket_created"
    finally:
        router.call("POST", f"/api/outages/{outage['id']}", {"close": True})
