"""A greeting or a loose detail outside any question, read once more before answering it.

"hoi, mijn wmo beschikking word niet aangemaakt, hele team kan niet verder" can reach the
assistant as a greeting or a detail. Answering "Waar kan ik je mee helpen?" would lose it:
when the words tell what goes wrong, the report starts as if the employee had said so plainly.
Nothing is filed without their yes at the summary.
"""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import identified
from actions.incident_text import sounds_like_problem
from actions.ticket_form import latest_intent, named_applications, start_events
from actions.ticket_kinds import START_RESPONSE

logger = logging.getLogger(__name__)
REPLY_OF_INTENT = {"greet": "utter_greet", "inform": "utter_how_can_i_help"}


class ActionReadLooseMessage(Action):
    def name(self) -> str:
        return "action_read_loose_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = str((tracker.latest_message or {}).get("text") or "")
        if tracker.active_loop.get("name") is None and sounds_like_problem(text):
            logger.info("actions.loose_message.read_as_report intent=%s", latest_intent(tracker))
            if identified(tracker):
                dispatcher.utter_message(response=START_RESPONSE["incident"])
            named = await named_applications(tracker)
            return [*start_events(tracker, "incident", reported=True, applications=named),
                    FollowupAction("ticket_form")]  # fmt: skip
        dispatcher.utter_message(
            response=REPLY_OF_INTENT.get(latest_intent(tracker), "utter_how_can_i_help")
        )
        return []
