"""action_create_ticket: hands the completed ticket_form to the router service."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.discovery_time import discovered_at
from actions.identity import reporter
from actions.incident_text import DESCRIPTION_MAX_CHARS, estimate_impact, make_title
from actions.router_client import RouterClient, RouterError, RouterRejected
from actions.ticket_kinds import API_TYPE, TICKET_SLOTS
from actions.wording import language, moment

logger = logging.getLogger(__name__)

CONVERSATION_MAX_CHARS = 20_000
_LEVELS = ("low", "medium", "high")


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


def _at_least(level: str, floor: str) -> str:
    return max(level, floor, key=_LEVELS.index)


def _people_count(text: str) -> int | None:
    found = re.search(r"\d[\d.]*", text or "")
    return int(found.group(0).replace(".", "")) if found else None


def ticket_from_tracker(tracker: Tracker) -> dict[str, Any]:
    """The body of `POST /api/tickets` for the ticket in the tracker's slots."""
    kind = tracker.get_slot("ticket_kind") or "incident"
    application = tracker.get_slot("application")
    description = " ".join(str(tracker.get_slot("description") or "").split())
    messages = session_messages(tracker)
    said = " ".join(text for who, text in messages if who == "user") or description
    impact = tracker.get_slot("affected") or estimate_impact(said)
    urgency = tracker.get_slot("urgency") or "medium"
    discovered = None
    if kind == "security":
        # The router makes these at least P2; many people or a stolen device make it P1.
        impact, urgency = _at_least(estimate_impact(said), "medium"), "high"
    elif kind == "breach":
        people = _people_count(tracker.get_slot("breach_people") or "")
        discovered = discovered_at(str(tracker.get_slot("breach_discovered") or ""))
        impact, urgency = ("high" if people and people >= 100 else "medium"), "high"
        description = (
            f"{description}\n\nWelke gegevens: {tracker.get_slot('breach_data')}\n"
            f"Aantal betrokkenen: {tracker.get_slot('breach_people')}\n"
            f"Ontdekt: {tracker.get_slot('breach_discovered')}"
        )
    elif kind == "callback":
        application, impact, urgency = None, "low", "medium"
        description = "De medewerker vraagt om contact met de servicedesk (via Loket)."
    title = {
        "callback": "Terugbelverzoek via Loket",
        "breach": "Datalek: " + make_title(str(tracker.get_slot("description") or ""), None),
        "security": "Beveiligingsincident: " + make_title(description, None),
    }.get(kind) or make_title(description, application)
    return {
        "municipality": tracker.get_slot("municipality"),
        "reporter": reporter(tracker),
        "type": API_TYPE.get(kind, "incident"),
        "application": application,
        "title": title[:200],
        "description": description[:DESCRIPTION_MAX_CHARS] or title,
        "impact": impact,
        "urgency": urgency,
        "conversation": conversation_transcript(messages),
        "discovered_at": discovered.isoformat() if discovered else None,
    }


def _answer(
    dispatcher: CollectingDispatcher, kind: str, created: dict[str, Any], lang: str
) -> None:
    destination = created.get("destination_name") or created.get("destination") or "de servicedesk"
    common = {
        "reference": created.get("reference"),
        "destination_name": destination,
        "priority": created.get("priority"),
        "due": moment(created.get("sla_due_at"), lang),
    }
    if kind == "security":
        dispatcher.utter_message(response="utter_security_ticket_created", **common)
    elif kind == "breach":
        deadline = moment(created.get("notify_deadline_at"), lang)
        dispatcher.utter_message(
            response="utter_breach_ticket_created", deadline=deadline, **common
        )
    elif kind == "callback":
        dispatcher.utter_message(response="utter_callback_created", **common)
    else:
        dispatcher.utter_message(response="utter_ticket_created", **common)


class ActionCreateTicket(Action):
    """Creates the ticket; tells the reference, where it went and when it should be solved."""

    def name(self) -> str:
        return "action_create_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset: list[EventType] = [SlotSet(slot, None) for slot in TICKET_SLOTS]
        kind = tracker.get_slot("ticket_kind") or "incident"
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
            "actions.ticket.created reference=%s kind=%s destination=%s priority=%s",
            created.get("reference"), kind, created.get("destination"), created.get("priority"),
        )  # fmt: skip
        _answer(dispatcher, kind, created, language(tracker))
        return reset
