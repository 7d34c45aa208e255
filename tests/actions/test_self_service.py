"""Status, withdrawing, outages, faq resolutions and the fallback, against a real router."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionHandleFallback
from actions.faq import ActionAskFaqHelped, ActionFaqHelped
from actions.outages import ActionListOutages
from actions.status import ActionTicketStatus
from actions.withdraw import ActionWithdrawTicket, ValidateWithdrawForm
from tests.actions.conftest import make_tracker, responses


def _ref(reference: str) -> list[dict]:
    return [{"entity": "ticket_number", "value": reference, "start": 0, "end": len(reference)}]


async def test_status_of_own_ticket_with_comment(router):
    reference = router.ticket("eef@dijkstede.nl", "Youforce toont geen rooster")
    router.call(
        "POST",
        f"/api/tickets/{reference}/comments",
        {"author": "Servicedesk", "text": "Visma kijkt ernaar.", "to_reporter": True},
    )
    router.call(
        "POST",
        f"/api/tickets/{reference}/comments",
        {"author": "Servicedesk", "text": "interne notitie", "to_reporter": False},
    )
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        f"hoe staat het met {reference}",
        intent="ask_status",
        entities=_ref(reference),
        email="eef@dijkstede.nl",
    )
    await ActionTicketStatus().run(dispatcher, tracker, {})
    status, comment = dispatcher.messages
    assert status["response"] == "utter_ticket_status" and status["status"] == "doorgezet"
    assert status["destination_name"] == "Visma Raet"
    assert comment["text"] == "Visma kijkt ernaar."


async def test_the_status_of_a_data_breach_says_when_the_ap_must_be_told(router):
    reference = router.ticket("gijs@dijkstede.nl", "Excel met BSN verkeerd gemaild",
                              type="data_breach", application=None)  # fmt: skip
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(f"hoe staat het met {reference}", intent="ask_status",
                           entities=_ref(reference), email="gijs@dijkstede.nl")  # fmt: skip
    await ActionTicketStatus().run(dispatcher, tracker, {})
    assert "Melden bij de Autoriteit Persoonsgegevens: uiterlijk" in dispatcher.messages[0]["due_text"]


async def test_someone_elses_ticket_is_answered_as_non_existent(router):
    theirs = router.ticket("fien@veenhoven.nl", "Youforce van Fien")
    answers = []
    for reference in (theirs, "M-2026-999999"):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(
            f"status {reference}",
            intent="ask_status",
            entities=_ref(reference),
            email="gijs@dijkstede.nl",
        )
        await ActionTicketStatus().run(dispatcher, tracker, {})
        answers.append(
            [(m["response"], m.get("reference") == reference) for m in dispatcher.messages]
        )
    assert answers[0] == answers[1] == [("utter_ticket_not_found", True)]


async def test_own_open_tickets_listed(router):
    reference = router.ticket("hans@heuvelrade.nl", "Xential maakt lege brieven")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("mijn meldingen", intent="ask_status", email="hans@heuvelrade.nl")
    await ActionTicketStatus().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_own_tickets" and reference in message["lines"]


async def test_withdraw_own_ticket_only_after_yes(router):
    reference = router.ticket("iris@dijkstede.nl", "Citrix zwart scherm")
    form, dispatcher = ValidateWithdrawForm(), CollectingDispatcher()
    tracker = make_tracker(reference, intent="withdraw_ticket", email="iris@dijkstede.nl")
    assert await form.validate_ticket_number(reference, dispatcher, tracker, {}) == {
        "ticket_number": reference
    }
    stranger = make_tracker(reference, intent="withdraw_ticket", email="joop@dijkstede.nl")
    assert await form.validate_ticket_number(reference, dispatcher, stranger, {}) == {
        "ticket_number": None
    }
    yes = make_tracker(
        "ja", intent="affirm", email="iris@dijkstede.nl", slots={"ticket_number": reference}
    )
    assert await form.validate_withdraw_confirm("ja", dispatcher, yes, {}) == {
        "withdraw_confirm": "yes"
    }
    done = make_tracker(
        "ja",
        intent="affirm",
        email="iris@dijkstede.nl",
        slots={"ticket_number": reference, "withdraw_confirm": "yes"},
    )
    await ActionWithdrawTicket().run(dispatcher, done, {})
    assert responses(dispatcher)[-1] == "utter_ticket_withdrawn"
    [(status,)] = router.rows("SELECT status FROM ticket WHERE reference = ?", reference)
    assert status == "withdrawn"
    again = CollectingDispatcher()
    await form.validate_ticket_number(reference, again, tracker, {})
    assert responses(again) == ["utter_withdraw_impossible"]


async def test_outages_for_an_application_and_none(router):
    router.call(
        "POST",
        "/api/outages",
        {
            "title": "Zaaksysteem.nl traag",
            "application": "Zaaksysteem.nl",
            "municipalities": ["PLW"],
        },
    )
    dispatcher = CollectingDispatcher()
    app = [{"entity": "application", "value": "Zaaksysteem.nl", "start": 0, "end": 11}]
    await ActionListOutages().run(
        dispatcher,
        make_tracker("storing zaaksysteem?", entities=app, email="kees@polderwaard.nl"),
        {},
    )
    await ActionListOutages().run(
        dispatcher,
        make_tracker("storing zaaksysteem?", entities=app, email="kees@dijkstede.nl"),
        {},
    )
    listed, none = dispatcher.messages
    assert listed["response"] == "utter_outages" and "Zaaksysteem.nl traag" in listed["lines"]
    assert none == {**none, "response": "utter_no_outages_for", "application": "Zaaksysteem.nl"}


async def test_faq_that_helped_is_recorded(router):
    dispatcher = CollectingDispatcher()
    selector = {"faq": {"response": {"intent_response_key": "faq/screen_lock"}}}
    asked = make_tracker("hoe vergrendel ik mijn scherm", intent="faq", response_selector=selector)
    events = await ActionAskFaqHelped().run(dispatcher, asked, {})
    assert {e["name"]: e["value"] for e in events}["faq_topic"] == "faq/screen_lock"
    helped = make_tracker(
        "ja", intent="affirm", email="lotte@heuvelrade.nl", slots={"faq_topic": "faq/screen_lock"}
    )
    await ActionFaqHelped().run(dispatcher, helped, {})
    rows = router.rows(
        "SELECT topic, helped, municipality FROM botresolution WHERE topic = ?", "faq/screen_lock"
    )
    assert rows == [("faq/screen_lock", 1, "HRD")]


async def test_second_misunderstanding_offers_ticket_or_person():
    dispatcher = CollectingDispatcher()
    once = make_tracker("qwerty", intent="nlu_fallback")
    await ActionHandleFallback().run(dispatcher, once, {})
    twice = make_tracker("qwerty", intent="nlu_fallback", history=[])
    twice.events.insert(
        -1, {"event": "user", "text": "asdf", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    )
    twice.events.insert(-1, {"event": "bot", "text": "Sorry"})
    await ActionHandleFallback().run(dispatcher, twice, {})
    assert responses(dispatcher) == ["utter_default", "utter_offer_ticket_or_person"]
