"""The summary shown before a ticket is filed ("Klopt dit?"), with the fields of its kind."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalogue import short_name
from actions.ticket_kinds import AFFECTED_WORDS, KIND_WORDS, URGENCY_WORDS
from actions.wording import language

# (slot, Dutch label, English label) per kind of ticket, after kind and municipality.
_FIELDS = {
    "request": (
        ("application", "Applicatie", "Application"),
        ("description", "Wat je nodig hebt", "What you need"),
        ("request_where", "Voor wie en waar", "For whom and where"),
        ("request_when", "Wanneer nodig", "Needed by"),
    ),
    "breach": (
        ("description", "Wat er gebeurd is", "What happened"),
        ("breach_data", "Welke gegevens", "Which data"),
        ("breach_people", "Hoeveel mensen", "How many people"),
        ("breach_discovered", "Ontdekt", "Discovered"),
    ),
}
_INCIDENT_FIELDS = (
    ("application", "Applicatie", "Application"),
    ("description", "Omschrijving", "Description"),
    ("affected", "Wie heeft er last van", "Who is affected"),
    ("urgency", "Hoe dringend", "How urgent"),
)
SUMMARY_RESPONSE = {"request": "utter_request_summary", "breach": "utter_breach_summary"}


def _value(slot: str, tracker: Tracker, lang: str) -> str | None:
    value = tracker.get_slot(slot)
    if slot == "affected":
        return AFFECTED_WORDS[lang].get(value or "", "-")
    if slot == "urgency":
        return URGENCY_WORDS[lang].get(value or "", "-")
    if slot == "application":
        return str(value) if value else None  # no line when none was named
    return " ".join(str(value).split()) if value else "-"


def summary_lines(tracker: Tracker) -> str:
    """The ticket so far, one "- field: value" line each, in the employee's language."""
    lang = language(tracker)
    kind = tracker.get_slot("ticket_kind") or "incident"
    lines = [
        ("Soort" if lang == "nl" else "Kind", KIND_WORDS[lang].get(kind, kind)),
        ("Gemeente" if lang == "nl" else "Municipality",
         short_name(tracker.get_slot("municipality") or "-")),
    ]  # fmt: skip
    for slot, dutch, english in _FIELDS.get(kind, _INCIDENT_FIELDS):
        value = _value(slot, tracker, lang)
        if value:
            lines.append((dutch if lang == "nl" else english, value))
    return "\n".join(f"- {label}: {value}" for label, value in lines)


class ActionAskConfirm(Action):
    """Shows the summary and asks whether it is right (ticket_form's `confirm` question)."""

    def name(self) -> str:
        return "action_ask_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kind = tracker.get_slot("ticket_kind") or "incident"
        if kind == "callback":
            phone = " ".join(str(tracker.get_slot("callback_phone") or "").split())
            dispatcher.utter_message(response="utter_callback_confirm", phone=phone or "-")
            return []
        response = SUMMARY_RESPONSE.get(kind, "utter_ticket_summary")
        dispatcher.utter_message(response=response, summary=summary_lines(tracker))
        return []
