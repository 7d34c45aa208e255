"""After a faq answer: did it help? Every answer is recorded as a bot resolution, so the
weekly report can count the questions Loket solved alone; "nee" offers a ticket."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalogue import CatalogueCache
from actions.identity import channel, employee_email, municipality_of
from actions.router_client import RouterClient, RouterError

logger = logging.getLogger(__name__)

DEFAULT_TOPIC = "faq/other"


def faq_topic(tracker: Tracker) -> str:
    """ "faq/password_reset": the response the selector chose for the latest message."""
    selector = ((tracker.latest_message or {}).get("response_selector") or {}).get("faq") or {}
    key = (selector.get("response") or {}).get("intent_response_key")
    return str(key) if key else DEFAULT_TOPIC


class ActionAskFaqHelped(Action):
    """Remembers the question and its topic, and asks whether the answer helped."""

    def name(self) -> str:
        return "action_ask_faq_helped"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_ask_faq_helped")
        question = (tracker.latest_message or {}).get("text")
        return [SlotSet("faq_topic", faq_topic(tracker)), SlotSet("faq_question", question)]


async def record_resolution(tracker: Tracker, catalogue: CatalogueCache, helped: bool) -> None:
    """`POST /api/bot-resolutions` for the faq topic of the conversation."""
    client = RouterClient.from_env()
    municipality = tracker.get_slot("municipality")
    try:
        if not municipality and employee_email(tracker):
            municipality = municipality_of(tracker, await catalogue.get(client))
        await client.record_bot_resolution(
            topic=tracker.get_slot("faq_topic") or DEFAULT_TOPIC,
            channel=channel(tracker),
            municipality=municipality,
            helped=helped,
        )
    except RouterError as exc:
        # Losing one count in the weekly report must not break the conversation.
        logger.warning("actions.faq.unrecorded error=%s", type(exc).__name__)


class ActionFaqHelped(Action):
    """ "ja": recorded as a question the bot solved alone."""

    def __init__(self) -> None:
        self._catalogue = CatalogueCache()

    def name(self) -> str:
        return "action_faq_helped"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        await record_resolution(tracker, self._catalogue, helped=True)
        dispatcher.utter_message(response="utter_faq_glad")
        return [SlotSet("faq_topic", None), SlotSet("faq_question", None)]


class ActionFaqNotHelped(Action):
    """ "nee": recorded as not solved; offers a ticket with the question."""

    def __init__(self) -> None:
        self._catalogue = CatalogueCache()

    def name(self) -> str:
        return "action_faq_not_helped"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        await record_resolution(tracker, self._catalogue, helped=False)
        dispatcher.utter_message(response="utter_faq_offer_ticket")
        return []
