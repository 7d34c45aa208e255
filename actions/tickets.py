"""action_create_ticket: hands the completed ticket_form to the router service.

Nothing lost, nothing twice: every `POST /api/tickets` carries an `Idempotency-Key` made
from the conversation (sender id) and the turn that completed the report. When the router
cannot be reached (or answers 5xx, 408, 429) the slots stay, the key is kept in the slot
`ticket_retry` with the very body that was sent, and the employee hears that the report is
not filed yet and can say "opnieuw proberen" (the same key and body again: the router gives
the same ticket back if the first attempt did arrive) or "laat maar". No queue on the
action server's disk: the unmasked text would lie on one host.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.discovery_time import (
    ImplausibleCount,
    ImplausibleMoment,
    discovered_at,
    people_count,
)
from actions.identity import identified, reporter
from actions.incident_text import (
    DESCRIPTION_MAX_CHARS,
    estimate_impact,
    make_title,
    parse_urgency,
)
from actions.linking import ask_to_link, needs_link
from actions.router_client import RouterClient, RouterError, RouterRejected
from actions.ticket_form import ActionCancelTicket
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


RETRY_SLOT = "ticket_retry"


def kept_attempt(tracker: Tracker) -> tuple[str, dict[str, Any]] | None:
    """(key, body) of an attempt the router did not take, kept for "opnieuw proberen"."""
    kept = tracker.get_slot(RETRY_SLOT)
    if isinstance(kept, dict) and kept.get("key") and isinstance(kept.get("ticket"), dict):
        return str(kept["key"]), dict(kept["ticket"])
    return None


def idempotency_key(tracker: Tracker) -> str:
    """The key of this report: the conversation and the turn that completed it.

    The turn is the newest user message (its message id, else its timestamp, else its
    place in the conversation). A retry reuses the key kept in `ticket_retry`.
    """
    kept = kept_attempt(tracker)
    if kept:
        return kept[0]
    turn = ""
    for index, event in reversed(list(enumerate(tracker.events))):
        if event.get("event") == "user":
            turn = str(event.get("message_id") or event.get("timestamp") or f"#{index}")
            break
    digest = hashlib.sha256(f"{tracker.sender_id}\n{turn}".encode()).hexdigest()
    return f"loket-{digest[:40]}"


def _people(answer: str) -> int | None:
    try:
        return people_count(answer)
    except ImplausibleCount:  # the form asks again; never a crash when filing
        return None


def _discovered(answer: str) -> Any:
    try:
        return discovered_at(answer)
    except ImplausibleMoment:  # the form asks again; never a crash when filing
        return None


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
        people = _people(str(tracker.get_slot("breach_people") or ""))
        discovered = _discovered(str(tracker.get_slot("breach_discovered") or ""))
        impact, urgency = ("high" if people and people >= 100 else "medium"), "high"
        description = (
            f"{description}\n\nWelke gegevens: {tracker.get_slot('breach_data')}\n"
            f"Aantal betrokkenen: {tracker.get_slot('breach_people')}\n"
            f"Ontdekt: {tracker.get_slot('breach_discovered')}"
        )
    elif kind == "request":
        # The API has no fields for these: they go in the description the staff read.
        where = " ".join(str(tracker.get_slot("request_where") or "-").split())
        when = " ".join(str(tracker.get_slot("request_when") or "-").split())
        urgency = parse_urgency(when) or "medium"  # "vandaag" high, "maakt niet uit" low
        description = f"{description}\n\nVoor wie en waar: {where}\nGewenst: {when}"
    elif kind == "callback":
        application, impact, urgency = None, "low", "medium"
        description = "De medewerker vraagt om contact met de servicedesk (via Loket)."
        phone = " ".join(str(tracker.get_slot("callback_phone") or "").split())
        if phone:
            description += f"\nTerugbellen: {phone}"
    title = {
        "callback": "Terugbelverzoek via Loket",
        "breach": "Datalek: " + make_title(str(tracker.get_slot("description") or "")),
        "security": "Beveiligingsincident: " + make_title(description),
    }.get(kind) or make_title(description)
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
    outage = created.get("outage")
    if kind == "incident" and isinstance(outage, dict) and outage.get("title"):
        # A known outage: the report is linked to it, not sent to the supplier on its own.
        dispatcher.utter_message(
            response="utter_ticket_known_outage", outage_title=outage["title"], **common
        )
    elif kind == "security":
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
    """Creates the ticket; tells the reference, where it went and when it should be solved.

    Also the answer to "opnieuw proberen" after a failed attempt (same Idempotency-Key).
    """

    def name(self) -> str:
        return "action_create_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset: list[EventType] = [SlotSet(slot, None) for slot in TICKET_SLOTS]
        kind = tracker.get_slot("ticket_kind")
        if tracker.get_slot("ticket_stopped"):
            # validate_ticket_form ended the form on "laat maar, het werkt alweer" or "doei".
            return await ActionCancelTicket().run(dispatcher, tracker, domain)
        if needs_link(tracker):  # Telegram, not linked yet: link first, the report waits
            return ask_to_link(dispatcher, "ticket")
        if not identified(tracker):
            dispatcher.utter_message(response="utter_ticket_needs_identity")
            return reset
        if not kind:  # "opnieuw proberen" with nothing waiting
            dispatcher.utter_message(response="utter_nothing_to_retry")
            return reset
        try:
            client = RouterClient.from_env()
        except RouterError as exc:  # configuration, not the employee: retrying will not help
            logger.error("actions.ticket.failed error=%s", exc)
            dispatcher.utter_message(response="utter_ticket_rejected")
            return reset
        # A retry sends the kept body, byte for byte: the same key must mean the same ticket.
        kept = kept_attempt(tracker)
        key, ticket = kept or (idempotency_key(tracker), ticket_from_tracker(tracker))
        try:
            created = await client.create_ticket(ticket, key)
        except RouterRejected as exc:
            if exc.retryable:
                return self._keep(dispatcher, key, ticket, f"status={exc.status}")
            # The router's message may quote the employee's words: log the status only.
            logger.error(
                "actions.ticket.rejected status=%s kind=%s: the router refused the ticket; "
                "a retry cannot fix this (%s)", exc.status, kind,
                "check LOKET_ASSISTANT_TOKEN and the router's token scope"
                if exc.status in (401, 403) else "check the ticket body against the API",
            )  # fmt: skip
            dispatcher.utter_message(response="utter_ticket_rejected")
            return reset
        except RouterError as exc:
            return self._keep(dispatcher, key, ticket, f"error={type(exc).__name__}")

        logger.info(
            "actions.ticket.created reference=%s kind=%s destination=%s priority=%s",
            created.get("reference"), kind, created.get("destination"), created.get("priority"),
        )  # fmt: skip
        _answer(dispatcher, kind, created, language(tracker))
        return reset

    @staticmethod
    def _keep(
        dispatcher: CollectingDispatcher, key: str, ticket: dict[str, Any], why: str
    ) -> list[EventType]:
        """Not filed yet: keep every slot, and the key and body; offer "opnieuw proberen"."""
        logger.error("actions.ticket.not_filed %s: kept for a retry", why)
        dispatcher.utter_message(response="utter_ticket_not_filed_yet")
        return [SlotSet(RETRY_SLOT, {"key": key, "ticket": ticket})]
