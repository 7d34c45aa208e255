"""incident_form: which municipality, and what goes wrong. Stopping it files nothing."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalogue import (
    CatalogueCache,
    dutch_list,
    match_municipality,
    municipality_names,
    short_name,
)
from actions.incident_text import describes_problem
from actions.router_client import RouterClient, RouterError

logger = logging.getLogger(__name__)

# Slots of one report; the municipality stays for the rest of the conversation.
INCIDENT_SLOTS = ("application", "description")


def _entity_value(tracker: Tracker, entity_type: str) -> str | None:
    """The (synonym-mapped) value of the first `entity_type` entity in the latest message."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == entity_type and entity.get("value"):
            return str(entity["value"])
    return None


def _entity_texts(tracker: Tracker) -> list[str]:
    """The words of the latest message that named an entity ("k2b", "Dijkstede")."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    spans = []
    for entity in message.get("entities") or []:
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int):
            spans.append(text[start:end])
        spans.append(str(entity.get("value") or ""))
    return spans


class ValidateIncidentForm(FormValidationAction):
    """Checks the municipality against the catalogue and that the description says something."""

    def __init__(self) -> None:
        self._catalogue = CatalogueCache()

    def name(self) -> str:
        return "validate_incident_form"

    async def validate_municipality(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = str(slot_value or "")
        try:
            catalogue = await self._catalogue.get(RouterClient.from_env())
        except RouterError as exc:
            # The router will check the name when the ticket is made; do not block here.
            logger.warning("actions.catalogue.unavailable error=%s", type(exc).__name__)
            return {"municipality": text or None}
        name = match_municipality(text, catalogue.get("municipalities", []))
        if name is None:
            options = dutch_list([short_name(n) for n in municipality_names(catalogue)])
            dispatcher.utter_message(response="utter_unknown_municipality", options=options)
        return {"municipality": name}

    async def validate_description(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = " ".join(str(slot_value or "").split())
        asked = tracker.get_slot("requested_slot") == "description"
        if describes_problem(text, _entity_texts(tracker)) or (asked and len(text.split()) >= 3):
            # A long answer to our question counts even if vague: do not keep asking.
            found: dict[str, Any] = {"description": text}
            # The domain fills `application` only outside the form (see domain.yml); an
            # application named in the answer counts when the report did not name one.
            if tracker.get_slot("application") is None:
                found["application"] = _entity_value(tracker, "application")
            return found
        if asked:
            dispatcher.utter_message(response="utter_need_more_description")
        # Not asked yet: the report only named the application; the form will ask.
        return {"description": None}


class ActionCancelIncident(Action):
    """The employee stopped the report: say so and forget it."""

    def name(self) -> str:
        return "action_cancel_incident"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_incident_cancelled")
        logger.info("actions.incident.cancelled")
        return [SlotSet(slot, None) for slot in INCIDENT_SLOTS]
