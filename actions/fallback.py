"""action_handle_fallback: "sorry" once; the second misunderstanding in a row offers a
ticket or a person instead of a third "sorry"."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import identified
from actions.ticket_kinds import START_RESPONSE

FALLBACK_INTENT = "nlu_fallback"
OFFER_ACTION = "action_faq_not_helped"  # "Zal ik een melding maken met je vraag erbij?"
# "ja graag, ik werk bij Polderwaard": a yes with more words, which the NLU may not place.
_YES_FIRST = re.compile(r"^\s*(ja|jawel|jazeker|graag|doe maar|ok|oke|oké|prima|yes)\b", re.I)


def previous_action(tracker: Tracker) -> str | None:
    """The assistant's last action before the latest message (action_listen left out)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return str(event.get("name"))
    return None


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
        text = str((tracker.latest_message or {}).get("text") or "")
        if previous_action(tracker) == OFFER_ACTION and _YES_FIRST.match(text):
            # A yes to the offer of a ticket, said with more: the ticket starts as on "ja".
            from actions.ticket_form import start_events  # ticket_form imports this module

            if identified(tracker):
                dispatcher.utter_message(response=START_RESPONSE["question"])
            return [*start_events(tracker, "question"), FollowupAction("ticket_form")]
        if misunderstood_in_a_row(tracker) >= 2:
            dispatcher.utter_message(response="utter_offer_ticket_or_person")
        else:
            dispatcher.utter_message(response="utter_default")
        return []
