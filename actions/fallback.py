"""action_handle_fallback: "sorry" once; the second misunderstanding in a row offers a
ticket or a person instead of a third "sorry"."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

FALLBACK_INTENT = "nlu_fallback"


def misunderstood_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages, counting back, the NLU did not understand."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionHandleFallback(Action):
    def name(self) -> str:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if misunderstood_in_a_row(tracker) >= 2:
            dispatcher.utter_message(response="utter_offer_ticket_or_person")
        else:
            dispatcher.utter_message(response="utter_default")
        return []
