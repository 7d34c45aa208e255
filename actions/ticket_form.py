"""ticket_form: starting a ticket, asking what is missing, the summary and corrections.

One form serves every kind of ticket (actions/ticket_kinds.py); validate_ticket_form picks
the questions. The municipality comes from the employee's e-mail domain when known.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
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
from actions.discovery_time import (
    ImplausibleCount,
    ImplausibleMoment,
    discovered_at,
    people_count,
)
from actions.fallback import misunderstood_in_a_row
from actions.identity import employee_email, identified, municipality_of_email
from actions.incident_text import describes_problem, parse_affected, parse_urgency
from actions.router_client import RouterClient, RouterError
from actions.ticket_kinds import (
    AFFECTED_WORDS,
    FORM_SLOTS,
    KIND_OF_INTENT,
    KIND_WORDS,
    START_RESPONSE,
    TICKET_SLOTS,
    URGENCY_WORDS,
)
from actions.wording import language

logger = logging.getLogger(__name__)

_YES = re.compile(r"^\s*(ja|jawel|yes|klopt|prima|ok|oké|okay|akkoord|goed|correct)\b", re.I)
# Intents that are no answer to a form's question when the message is short ("ja klopt" to
# "for which municipality?", "bedankt" to "what goes wrong?"): the form asks again, with a hint.
_NO_ANSWER_INTENTS = frozenset(
    ("affirm", "deny", "greet", "goodbye", "thank", "out_of_scope", "nlu_fallback")
)  # fmt: skip
_NO_ANSWER_MAX_WORDS = 3
# Reports that win over the question of another ticket's form (not over their own).
_SWITCH_TO = {"report_security_incident": "security", "report_data_breach": "breach"}
_FIELD_WORDS = {
    "municipality": re.compile(r"\b(gemeente|municipality)\b", re.I),
    "description": re.compile(r"\b(omschrijving|beschrijving|description|tekst)\b", re.I),
    "application": re.compile(r"\b(applicatie|programma|pakket|application)\b", re.I),
    "affected": re.compile(r"\b(hoeveel|mensen|last|affected|people)\b", re.I),
    "urgency": re.compile(r"\b(urgentie|dringend|spoed|urgent|urgency|prioriteit)\b", re.I),
}


def entity_values(tracker: Tracker, entity_type: str) -> list[str]:
    """The (canonical) values of `entity_type` entities in the latest message."""
    return [
        str(e["value"])
        for e in (tracker.latest_message or {}).get("entities") or []
        if e.get("entity") == entity_type and e.get("value")
    ]


def entity_texts(tracker: Tracker) -> list[str]:
    """The words of the latest message that named an entity ("k2b", "Dijkstede")."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    spans = []
    for entity in message.get("entities") or []:
        if entity.get("entity") == "language":
            continue
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int):
            spans.append(text[start:end])
        spans.append(str(entity.get("value") or ""))
    return spans


def latest_intent(tracker: Tracker) -> str:
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


def no_answer(text: str, tracker: Tracker) -> bool:
    """True for a short yes, no, greeting or unintelligible message: no answer to a question."""
    short = len(text.split()) <= _NO_ANSWER_MAX_WORDS
    return short and latest_intent(tracker) in _NO_ANSWER_INTENTS


def offer_way_out(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """After the hint: the second message in a row we did not understand offers a person
    (or stopping); the form then asks its question again, it never moves on by itself."""
    if misunderstood_in_a_row(tracker) >= 2:
        dispatcher.utter_message(response="utter_form_offer_person")


class ActionStartTicket(Action):
    """Starts a ticket of the kind the intent asks for; security incidents get advice first."""

    def name(self) -> str:
        return "action_start_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kind = KIND_OF_INTENT.get(latest_intent(tracker), "incident")
        # Without an identity no ticket can be filed (action_create_ticket says so at once,
        # ticket_form asks nothing); the security advice is worth giving all the same.
        if identified(tracker) or kind == "security":
            dispatcher.utter_message(response=START_RESPONSE[kind])
        logger.info("actions.ticket.started kind=%s", kind)
        return start_events(tracker, kind)


def start_events(tracker: Tracker, kind: str) -> list[EventType]:
    """The slots of a new ticket of `kind`, started by the latest message."""
    keep = {"description"} if kind not in ("question", "callback") else set()
    events: list[EventType] = [
        SlotSet(slot, None)
        for slot in TICKET_SLOTS
        if slot not in keep and slot not in ("faq_topic", "faq_question")
    ]
    # A report started in the middle of a form (a security incident while asked "how
    # urgent?", or while withdrawing): the slot mapping of `description` only applies outside
    # a form, so the message itself is the description, not the one of the abandoned report.
    text = (tracker.latest_message or {}).get("text")
    if kind not in ("question", "callback") and KIND_OF_INTENT.get(latest_intent(tracker)) == kind:
        events.append(SlotSet("description", text or None))
    events += [SlotSet("ticket_number", None), SlotSet("withdraw_confirm", None)]
    events.append(SlotSet("ticket_kind", kind))
    applications = entity_values(tracker, "application")
    events.append(SlotSet("application", applications[0] if applications else None))
    if kind == "question":
        # The question the faq answer did not solve is what the ticket is about.
        events.append(SlotSet("description", tracker.get_slot("faq_question")))
    return events


def _level_answer(
    slot: str,
    parse: Callable[[str], str | None],
    slot_value: Any,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
) -> dict[str, Any]:
    """How many are hindered / how urgent, in plain words; re-ask with a hint when unclear."""
    level = parse(str(slot_value or ""))
    if level is None:
        dispatcher.utter_message(response=f"utter_not_understood_{slot}")
        offer_way_out(dispatcher, tracker)
    return {slot: level}


class ValidateTicketForm(FormValidationAction):
    """Asks per kind of ticket; checks the municipality, the answers and the summary."""

    def __init__(self) -> None:
        self._catalogue = CatalogueCache()

    def name(self) -> str:
        return "validate_ticket_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """A security incident or data breach in the middle of another ticket wins: the form
        goes on as that ticket (advice first), not with the question it was asking."""
        kind = tracker.get_slot("ticket_kind") or "incident"
        new_kind = _SWITCH_TO.get(latest_intent(tracker))
        if not new_kind or kind in _SWITCH_TO.values() or not tracker.get_slot("requested_slot"):
            return await super().run(dispatcher, tracker, domain)
        logger.info("actions.ticket.switched from=%s to=%s", kind, new_kind)
        dispatcher.utter_message(response=START_RESPONSE[new_kind])
        events = start_events(tracker, new_kind)
        tracker.add_slots(events)
        extracted = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extracted)
        events += extracted
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        return events + ([next_slot] if next_slot else [])

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if not identified(tracker):
            return []  # nothing to ask: action_create_ticket tells why no ticket can be made
        return list(FORM_SLOTS.get(tracker.get_slot("ticket_kind") or "incident", domain_slots))

    async def extract_municipality(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The employee's municipality from their e-mail domain, when we know who they are."""
        email = employee_email(tracker)
        if tracker.get_slot("municipality") or not email:
            return {}
        try:
            catalogue = await self._catalogue.get(RouterClient.from_env())
        except RouterError as exc:
            logger.warning("actions.catalogue.unavailable error=%s", type(exc).__name__)
            return {}
        name = municipality_of_email(email, catalogue)
        return {"municipality": name} if name else {}

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
            return {"municipality": None if no_answer(text, tracker) else (text or None)}
        name = match_municipality(text, catalogue.get("municipalities", []))
        if name is None:
            options = dutch_list([short_name(n) for n in municipality_names(catalogue)])
            # "ja klopt" is no name at all: say what we need rather than "unknown municipality".
            no_name = no_answer(text, tracker)
            hint = "utter_municipality_hint" if no_name else "utter_unknown_municipality"
            dispatcher.utter_message(response=hint, options=options)
            offer_way_out(dispatcher, tracker)
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
        if tracker.get_slot("ticket_kind") == "question" and text and not asked:
            return {"description": text}  # the faq question, set by action_start_ticket
        if asked and no_answer(text, tracker):
            dispatcher.utter_message(response="utter_need_more_description")
            offer_way_out(dispatcher, tracker)
            return {"description": None}
        if describes_problem(text, entity_texts(tracker)) or (asked and len(text.split()) >= 3):
            # A long answer to our question counts even if vague: do not keep asking.
            found: dict[str, Any] = {"description": text}
            if tracker.get_slot("application") is None:
                applications = entity_values(tracker, "application")
                found["application"] = applications[0] if applications else None
            return found
        if asked:
            dispatcher.utter_message(response="utter_need_more_description")
        # Not asked yet: the report only named the application; the form will ask.
        return {"description": None}

    async def validate_affected(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return _level_answer("affected", parse_affected, slot_value, dispatcher, tracker)

    async def validate_urgency(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return _level_answer("urgency", parse_urgency, slot_value, dispatcher, tracker)

    async def validate_breach_people(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """ "ongeveer 250", "weet ik niet": kept as said; an impossible number is asked again."""
        text = " ".join(str(slot_value or "").split())
        try:
            people_count(text)
        except ImplausibleCount:
            dispatcher.utter_message(response="utter_breach_people_implausible")
            return {"breach_people": None}
        return {"breach_people": text or None}

    async def validate_breach_discovered(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """ "vanochtend om 9 uur": kept as said; more than a year ago is asked again."""
        text = " ".join(str(slot_value or "").split())
        try:
            discovered_at(text)
        except ImplausibleMoment:
            dispatcher.utter_message(response="utter_breach_discovered_implausible")
            return {"breach_discovered": None}
        return {"breach_discovered": text or None}

    async def validate_confirm(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """ "ja" files the ticket; anything else is a correction (or asks what to change)."""
        text = str(slot_value or "")
        intent = latest_intent(tracker)
        if intent == "affirm" or (intent != "deny" and _YES.match(text) and len(text) < 25):
            return {"confirm": "yes"}
        changes = self._corrections(text, tracker)
        if not changes:
            dispatcher.utter_message(response="utter_ask_what_to_change")
        logger.info("actions.ticket.corrected fields=%s", ",".join(sorted(changes)) or "-")
        return {**changes, "confirm": None}

    @staticmethod
    def _corrections(text: str, tracker: Tracker) -> dict[str, Any]:
        """The slots a correction at the summary changes (None: ask again)."""
        changes: dict[str, Any] = {}
        municipalities = entity_values(tracker, "municipality")
        if municipalities:
            changes["municipality"] = municipalities[0]
        elif _FIELD_WORDS["municipality"].search(text):
            changes["municipality"] = None
        applications = entity_values(tracker, "application")
        if applications:
            changes["application"] = applications[0]
        elif _FIELD_WORDS["application"].search(text):
            changes["application"] = None
        if _FIELD_WORDS["description"].search(text):
            changes["description"] = None
        affected = parse_affected(text) if _FIELD_WORDS["affected"].search(text) else None
        if affected is None and re.search(r"\b(team|afdeling|iedereen|collega)", text, re.I):
            affected = parse_affected(text)
        if affected:
            changes["affected"] = affected
        elif _FIELD_WORDS["affected"].search(text):
            changes["affected"] = None
        urgency = parse_urgency(text)
        if urgency and (_FIELD_WORDS["urgency"].search(text) or "affected" not in changes):
            changes["urgency"] = urgency
        elif _FIELD_WORDS["urgency"].search(text):
            changes["urgency"] = None
        return changes


def summary_lines(tracker: Tracker) -> str:
    """The ticket so far, one "- field: value" line each, in the employee's language."""
    lang = language(tracker)
    kind = tracker.get_slot("ticket_kind") or "incident"
    labels = (
        ("Soort", "Gemeente", "Applicatie", "Omschrijving", "Wie heeft er last van", "Hoe dringend")
        if lang == "nl"
        else ("Kind", "Municipality", "Application", "Description", "Who is affected", "How urgent")
    )
    values = (
        KIND_WORDS[lang].get(kind, kind),
        short_name(tracker.get_slot("municipality") or "-"),
        tracker.get_slot("application"),
        tracker.get_slot("description") or "-",
        AFFECTED_WORDS[lang].get(tracker.get_slot("affected") or "", "-"),
        URGENCY_WORDS[lang].get(tracker.get_slot("urgency") or "", "-"),
    )
    return "\n".join(
        f"- {label}: {value}" for label, value in zip(labels, values, strict=True) if value
    )


class ActionAskConfirm(Action):
    """Shows the summary and asks whether it is right (ticket_form's `confirm` question)."""

    def name(self) -> str:
        return "action_ask_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_ticket_summary", summary=summary_lines(tracker))
        return []


class ActionCancelTicket(Action):
    """The employee stopped: say so and forget the ticket."""

    def name(self) -> str:
        return "action_cancel_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_incident_cancelled")
        logger.info("actions.ticket.cancelled kind=%s", tracker.get_slot("ticket_kind"))
        return [SlotSet(slot, None) for slot in TICKET_SLOTS]


class ActionStop(Action):
    """ "laat maar" outside a form: forgets a report that could not be filed yet, if any."""

    def name(self) -> str:
        return "action_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("ticket_retry"):
            dispatcher.utter_message(response="utter_incident_cancelled")
            logger.info("actions.ticket.cancelled kind=%s after=not_filed",
                        tracker.get_slot("ticket_kind"))  # fmt: skip
            return [SlotSet(slot, None) for slot in TICKET_SLOTS]
        dispatcher.utter_message(response="utter_okay")
        return []
