"""action_create_ticket: hands the completed incident report to the router service."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.incident_form import INCIDENT_SLOTS
from actions.incident_text import (
    DESCRIPTION_MAX_CHARS,
    estimate_impact,
    estimate_urgency,
    make_title,
)
from actions.router_client import RouterClient, RouterError, RouterRejected

logger = logging.getLogger(__name__)

CONVERSATION_MAX_CHARS = 20_000


def session_messages(tracker: Tracker) -> list[tuple[str, str]]:
    """("user" | "bot", text) for each message of the current session."""
    messages: list[tuple[str, str]] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "session_started":
            messages = []
        elif kind in ("user", "bot") and event.get("text"):
            messages.append((kind, str(event["text"])))
    return messages


def conversation_transcript(messages: list[tuple[str, str]]) -> str:
    """The messages as "Medewerker: ..." / "Loket: ..." lines, newest kept when too long."""
    speaker = {"user": "Medewerker", "bot": "Loket"}
    lines = [f"{speaker[kind]}: {text}" for kind, text in messages]
    return "\n".join(lines)[-CONVERSATION_MAX_CHARS:]


def ticket_from_tracker(tracker: Tracker) -> dict[str, Any]:
    """The body of `POST /api/tickets` for the incident in the tracker's slots."""
    application = tracker.get_slot("application")
    description = str(tracker.get_slot("description") or "")[:DESCRIPTION_MAX_CHARS]
    messages = session_messages(tracker)
    said = " ".join(text for kind, text in messages if kind == "user") or description
    return {
        "municipality": tracker.get_slot("municipality"),
        "reporter": {
            "channel": tracker.get_latest_input_channel() or "rest",
            "sender_id": tracker.sender_id,
            "email": None,
            "name": None,
        },
        "type": "incident",
        "application": application,
        "title": make_title(description, application),
        "description": description,
        "impact": estimate_impact(said),
        "urgency": estimate_urgency(said),
        "conversation": conversation_transcript(messages),
    }


class ActionCreateTicket(Action):
    """Creates the ticket and tells the employee its reference and where it went."""

    def name(self) -> str:
        return "action_create_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset = [SlotSet(slot, None) for slot in INCIDENT_SLOTS]
        try:
            created = await RouterClient.from_env().create_ticket(ticket_from_tracker(tracker))
        except RouterRejected as exc:
            # The router's message may quote the employee's words: log the status only.
            logger.error("actions.ticket.rejected status=%s", exc.status)
            dispatcher.utter_message(response="utter_ticket_failed")
            return reset
        except RouterError as exc:
            logger.error("actions.ticket.failed error=%s", type(exc).__name__)
            dispatcher.utter_message(response="utter_ticket_failed")
            return reset

        logger.info(
            "actions.ticket.created reference=%s destination=%s how=%s",
            created.get("reference"),
            created.get("destination"),
            created.get("how"),
        )
        dispatcher.utter_message(
            response="utter_ticket_created",
            reference=created.get("reference"),
            destination_name=created.get("destination_name")
            or created.get("destination")
            or "de servicedesk",
        )
        return reset
