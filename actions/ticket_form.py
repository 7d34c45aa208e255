"""ticket_form: starting a ticket, asking what is missing, and corrections at the summary.

One form serves every kind of ticket (actions/ticket_kinds.py); validate_ticket_form picks
the questions. Every message is read for every open question, the first one included, so
that nothing said is asked again. The municipality comes from the employee's e-mail domain
when known. The summary itself: actions/ticket_summary.py.
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

from actions.breach_answers import breach_part, breach_parts, own_part
from actions.catalogue import (
    CatalogueCache,
    dutch_list,
    match_municipality,
    municipality_names,
    short_name,
)
from actions.corrections import WHAT_TO_CHANGE, corrected_municipality, corrections
from actions.discovery_time import (
    ImplausibleCount,
    ImplausibleMoment,
    discovered_at,
    people_count,
)
from actions.fallback import misunderstood_in_a_row
from actions.identity import employee_email, identified, municipality_of
from actions.incident_text import (
    callback_details,
    describes_problem,
    infer_affected,
    infer_urgency,
    parse_affected,
    parse_urgency,
)
from actions.request_text import request_when, request_where
from actions.router_client import RouterClient, RouterError
from actions.ticket_kinds import FORM_SLOTS, KIND_OF_INTENT, START_RESPONSE, TICKET_SLOTS

logger = logging.getLogger(__name__)

_NO = re.compile(r"^\W*(nee|neen|nope|no|liever niet|hoeft niet|niet nodig)\b", re.I)
_YES = re.compile(r"^\s*(ja|jawel|yes|klopt|prima|ok|oké|okay|akkoord|goed|correct)\b", re.I)
# Intents that are no answer to a form's question when the message is short ("ja klopt" to
# "for which municipality?", "bedankt" to "what goes wrong?"): the form asks again, with a hint.
_NO_ANSWER_INTENTS = frozenset(
    ("affirm", "deny", "greet", "goodbye", "thank", "out_of_scope", "nlu_fallback")
)  # fmt: skip
_NO_ANSWER_MAX_WORDS = 3
# Stopping in the middle of a form, also with more words around it ("laat maar, hij doet het
# alweer", "nee laat maar", "laat maar zitten, opgelost"), whatever intent the NLU gave it:
# the form then ends with `ticket_stopped` set, and action_create_ticket makes no ticket.
_STOP = re.compile(
    r"\blaat (het |ook |dan )?maar\b(?!\s+(weten|zien|horen|even))|\bvergeet (het|'t|dat)\b|"
    r"^\W*(nee\W+)?(toch maar niet|hoeft niet meer|stop|stoppen|annuleer|annuleren|cancel|"
    r"never ?mind|forget it)\b|\bniet meer nodig\b|\bhoeft (al )?niet meer\b|"
    r"\b(doet|werkt) (hij |het |ie )?(het )?(al ?weer|toch weer|toch)\b(?!\s+niet)|"
    r"^\W*(het is |is |al )?opgelost\W*$|\b(al|inmiddels|toch) opgelost\b|\bis (al )?opgelost\b",
    re.I,
)
_BYE = re.compile(r"^\W*(ok\W+|oké\W+)?(doei|doeg|dag|tot ziens|bye|ciao|de mazzel)\b", re.I)
_DIGIT = re.compile(r"\d")
# Small talk inside a form: answered, then the same question again (no "not understood").
_SMALL_TALK_RESPONSE = {"greet": "utter_form_greet", "thank": "utter_noworries"}
# Where a choice was expected, the second answer in a row that is none offers the choices
# as buttons, filing with what is known, and a person (actions/ticket_form.py).
_AS_IS = re.compile(r"\b(met wat je (al )?weet|zoals het is|maak (de melding )?maar|"
                    r"file it as it is|with what you know)\b", re.I)
_MISSES_SLOT = "form_misses"
# Reports that win over the question of another ticket's form (not over their own).
_SWITCH_TO = {"report_security_incident": "security", "report_data_breach": "breach"}


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
    """True for a short yes, no, greeting or unintelligible message: no answer to a question.
    Short is the whole message: "4 clienten" taken out of "gisteren ontdekt, 4 clienten, naam
    adres en bsn" is an answer, whatever the NLU made of the whole."""
    said = str((tracker.latest_message or {}).get("text") or text)
    short = len(said.split()) <= _NO_ANSWER_MAX_WORDS
    return short and latest_intent(tracker) in _NO_ANSWER_INTENTS


def misses(tracker: Tracker) -> int:
    """How many answers in a row to the current question were no answer, this one included."""
    try:
        return int(tracker.get_slot(_MISSES_SLOT) or 0) + 1
    except (TypeError, ValueError):
        return 1


def offer_way_out(dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """After the hint: the second answer in a row that is none ("ja klopt" twice, or two
    messages the NLU did not understand) offers a person (or stopping); the form then asks
    its question again, it never moves on by itself. Returns the new miss count."""
    count = misses(tracker)
    if count >= 2 or misunderstood_in_a_row(tracker) >= 2:
        dispatcher.utter_message(response="utter_form_offer_person")
    return {_MISSES_SLOT: count}


def _stopped(slot: str) -> dict[str, Any]:
    """The employee said no: the form ends and no ticket is made (action_create_ticket)."""
    return {slot: None, "ticket_stopped": True, "requested_slot": None}


def answered(tracker: Tracker) -> dict[str, Any]:
    """A good answer: the count of misses starts again (only when there was one)."""
    return {_MISSES_SLOT: None} if tracker.get_slot(_MISSES_SLOT) else {}


def stops(text: str, intent: str) -> bool:
    """True for "laat maar" (with more words around it) or a goodbye: the form stops. A
    short message with a digit in it ("0612345678, de hele dag") is an answer, whatever
    the NLU made of it: nobody says goodbye with a number."""
    said_goodbye = intent == "goodbye" and len(text.split()) <= 5 and not _DIGIT.search(text)
    return bool(_STOP.search(text) or said_goodbye or _BYE.match(text))


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
        return start_events(tracker, kind, applications=await named_applications(tracker))


_CATALOGUE = CatalogueCache()


async def named_applications(tracker: Tracker) -> list[str]:
    """The applications the latest message names, leaving out one named only by an everyday
    word ("word", a typo of "wordt") when the message names municipal work (a domain term):
    the router routes by that work, and the summary must not show the wrong application."""
    names = entity_values(tracker, "application")
    if not names or not entity_values(tracker, "domain_term"):
        return names
    try:
        catalogue = await _CATALOGUE.get(RouterClient.from_env())
    except RouterError:
        return names
    weak = {
        str(word).casefold()
        for app in catalogue.get("applications", [])
        for word in app.get("weak_synonyms", [])
    }
    text = str((tracker.latest_message or {}).get("text") or "")
    said: dict[str, set[str]] = {}
    for e in (tracker.latest_message or {}).get("entities") or []:
        if e.get("entity") == "application" and e.get("value") and "start" in e:
            said.setdefault(str(e["value"]), set()).add(text[e["start"] : e["end"]].casefold())
    return [name for name in names if not (said.get(name) and said[name] <= weak)]


def start_events(
    tracker: Tracker,
    kind: str,
    *,
    reported: bool = False,
    applications: list[str] | None = None,
) -> list[EventType]:
    """The slots of a new ticket of `kind`, started by the latest message (`reported`: the
    message is the report, whatever its intent; `applications`: those it names, when read
    already by `named_applications`)."""
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
    said_so = reported or KIND_OF_INTENT.get(latest_intent(tracker)) == kind
    if kind not in ("question", "callback") and said_so:
        events.append(SlotSet("description", text or None))
    events += [SlotSet("ticket_number", None), SlotSet("withdraw_confirm", None)]
    events.append(SlotSet("ticket_kind", kind))
    if applications is None:
        applications = entity_values(tracker, "application")
    events.append(SlotSet("application", applications[0] if applications else None))
    if kind == "incident" and text:
        # "niemand kan paspoorten uitgeven": who and how urgent are said; the form asks neither.
        events.append(SlotSet("affected", infer_affected(text)))
        events.append(SlotSet("urgency", infer_urgency(text)))
    if kind == "request" and text:
        # "een docking voor kamer 2.07, voor 1 december": neither question is asked.
        events.append(SlotSet("request_where", request_where(text)))
        events.append(SlotSet("request_when", request_when(text)))
    if kind == "callback" and text:
        # "kan iemand me bellen? 0612345678, na 2en": the number is not asked again.
        events.append(SlotSet("callback_phone", callback_details(text)))
    if kind == "breach" and text:
        # "..., gisteravond ontdekt, 3 inwoners, naam en BSN": those questions are not asked.
        events += [SlotSet(slot, value) for slot, value in breach_parts(text).items()]
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
    """How many are hindered / how urgent, in plain words, by number or by button; re-ask
    with a hint when unclear. The second miss in a row shows the choices as buttons, with
    "file with what you know" and a person as ways out."""
    text = str(slot_value or "")
    if text in ("low", "medium", "high"):  # inferred from another message (extract_<slot>)
        return {slot: text}
    asked = tracker.get_slot("requested_slot") == slot
    level = parse(text)
    if level is None and asked and _AS_IS.search(text):
        # Filing with what is known: the words of the conversation, else the middle choice.
        said = " ".join(t for who, t in _user_texts(tracker))
        level = (infer_affected(said) or "low") if slot == "affected" else (
            infer_urgency(said) or "medium")
        logger.info("actions.ticket.as_is slot=%s", slot)
    if level is None:
        if not asked:
            return {slot: None}
        count = max(misses(tracker), misunderstood_in_a_row(tracker))
        if count >= 2:
            dispatcher.utter_message(response=f"utter_choose_{slot}")
        else:
            dispatcher.utter_message(response=f"utter_not_understood_{slot}")
        return {slot: None, _MISSES_SLOT: count}
    return {slot: level, **answered(tracker)}


def _user_texts(tracker: Tracker) -> list[tuple[str, str]]:
    """("user", text) for the employee's messages of this session."""
    found: list[tuple[str, str]] = []
    for event in tracker.events:
        if event.get("event") == "session_started":
            found = []
        elif event.get("event") == "user" and event.get("text"):
            found.append(("user", str(event["text"])))
    return found


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
        asked = tracker.get_slot("requested_slot")
        text = str((tracker.latest_message or {}).get("text") or "")
        intent = latest_intent(tracker)
        other_ticket = bool(entity_values(tracker, "ticket_number"))
        if asked and stops(text, intent) and not other_ticket:
            # "laat maar" with more words, or "doei": the form ends, no ticket is made
            # (action_create_ticket, which follows the form, sees `ticket_stopped`).
            logger.info("actions.ticket.stopped_in_form slot=%s", asked)
            return [SlotSet(asked, None), SlotSet("ticket_stopped", True),
                    SlotSet("requested_slot", None)]  # fmt: skip
        if asked and intent in _SMALL_TALK_RESPONSE and len(text.split()) <= _NO_ANSWER_MAX_WORDS:
            # "hoi" or "bedankt" halfway: answered, then the same question again.
            dispatcher.utter_message(response=_SMALL_TALK_RESPONSE[intent])
            return [SlotSet(asked, None)]
        if asked and intent == "withdraw_ticket":
            # Another ticket may be withdrawn once this report is made or stopped.
            dispatcher.utter_message(response="utter_finish_report_first")
            return [SlotSet(asked, None)]
        new_kind = _SWITCH_TO.get(intent)
        if not new_kind or kind in _SWITCH_TO.values() or not asked:
            events = await super().run(dispatcher, tracker, domain)
            # The application is no question of its own (rasa_sdk extracts only those), but
            # an answer that names it fills it all the same.
            named = await self.extract_application(dispatcher, tracker, domain)
            return events + [SlotSet(slot, value) for slot, value in named.items()]
        logger.info("actions.ticket.switched from=%s to=%s", kind, new_kind)
        dispatcher.utter_message(response=START_RESPONSE[new_kind])
        events = start_events(tracker, new_kind, applications=await named_applications(tracker))
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
        if tracker.get_slot("ticket_stopped"):
            return []  # "nee" to the call-back: the form ends, action_create_ticket files nothing
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
        name = municipality_of(tracker, catalogue)
        return {"municipality": name} if name else {}

    async def extract_application(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The application named in an answer to any question ("Dijkstede, het gaat om k2b")."""
        asked = tracker.get_slot("requested_slot")
        kind = tracker.get_slot("ticket_kind") or "incident"
        if not asked or asked == "confirm" or tracker.get_slot("application"):
            return {}  # the report itself (action_start_ticket), or a correction at the summary
        if kind not in ("incident", "request", "question"):
            return {}
        applications = entity_values(tracker, "application")
        return {"application": applications[0]} if applications else {}

    async def extract_affected(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Who is hindered, from an answer to another question ("hele afdeling ligt plat")."""
        return self._inferred("affected", infer_affected, tracker)

    async def extract_urgency(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """How urgent, from an answer to another question ("het kan wachten")."""
        return self._inferred("urgency", infer_urgency, tracker)

    @staticmethod
    def _inferred(
        slot: str, infer: Callable[[str], str | None], tracker: Tracker
    ) -> dict[str, Any]:
        asked = tracker.get_slot("requested_slot")
        if not asked or asked == slot or tracker.get_slot(slot) or asked == "confirm":
            return {}  # the question itself, or a correction at the summary: validated there
        level = infer(str((tracker.latest_message or {}).get("text") or ""))
        return {slot: level} if level else {}

    async def extract_breach_data(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return breach_part("breach_data", tracker)

    async def extract_breach_people(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return breach_part("breach_people", tracker)

    async def extract_breach_discovered(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return breach_part("breach_discovered", tracker)

    async def extract_request_where(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """For whom and where, from an answer to another question ("... voor kamer 2.07")."""
        return self._request_part("request_where", request_where, tracker)

    async def extract_request_when(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """By when, from an answer to another question ("kamer 2.07, graag voor vrijdag")."""
        return self._request_part("request_when", request_when, tracker)

    @staticmethod
    def _request_part(
        slot: str, read: Callable[[str], str | None], tracker: Tracker
    ) -> dict[str, Any]:
        asked = tracker.get_slot("requested_slot")
        if tracker.get_slot("ticket_kind") != "request" or tracker.get_slot(slot):
            return {}
        if not asked or asked in (slot, "confirm"):
            return {}  # the question itself, or a correction at the summary: validated there
        found = read(str((tracker.latest_message or {}).get("text") or ""))
        return {slot: found} if found else {}

    async def validate_request_where(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """ "gemeentehuis, kamer 2.07", "voor mij": any place or person, kept as said."""
        return _free_answer("request_where", request_where, request_when, slot_value,
                            dispatcher, tracker)  # fmt: skip

    async def validate_request_when(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """ "morgen", "voor 1 december", "maakt niet uit": kept as said."""
        return _free_answer("request_when", request_when, request_where, slot_value,
                            dispatcher, tracker)  # fmt: skip

    async def validate_municipality(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = str(slot_value or "")
        if tracker.get_slot("requested_slot") == "confirm":
            # "het is Polderwaard, niet Dijkstede": the one not after "niet".
            message = str((tracker.latest_message or {}).get("text") or "")
            text = corrected_municipality(message, tracker) or text
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
            return {"municipality": None, **offer_way_out(dispatcher, tracker)}
        return {"municipality": name, **answered(tracker)}

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
            return {"description": None, **offer_way_out(dispatcher, tracker)}
        if describes_problem(text, entity_texts(tracker)) or (asked and len(text.split()) >= 3):
            # A long answer to our question counts even if vague: do not keep asking.
            found: dict[str, Any] = {"description": text, **answered(tracker)}
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

    async def validate_breach_data(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """ "naam en BSN": kept as said (the part about the data, when it says more); a bare
        "ja" or "nee" is no answer, and the question comes again."""
        text = str(slot_value or "")
        if no_answer(text, tracker):
            return {"breach_data": None}
        return {"breach_data": own_part("breach_data", text) or None}

    async def validate_breach_people(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """ "ongeveer 250", "weet ik niet": kept as said; an impossible number is asked again."""
        if no_answer(str(slot_value or ""), tracker):
            return {"breach_people": None}
        return _plausible_answer(
            "breach_people", slot_value, people_count, ImplausibleCount, dispatcher
        )

    async def validate_breach_discovered(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """ "vanochtend om 9 uur": kept as said; more than a year ago is asked again."""
        return _plausible_answer(
            "breach_discovered", slot_value, discovered_at, ImplausibleMoment, dispatcher
        )

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
        if tracker.get_slot("ticket_kind") == "callback":
            return self._callback_answer(text, intent)
        kind = tracker.get_slot("ticket_kind") or "incident"
        changes = corrections(text, tracker)
        if not changes:
            dispatcher.utter_message(response=WHAT_TO_CHANGE.get(kind, "utter_ask_what_to_change"))
        logger.info("actions.ticket.corrected fields=%s", ",".join(sorted(changes)) or "-")
        return {**changes, "confirm": None}

    async def validate_callback_phone(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """ "06-12345678, vanmiddag": kept as said; "nee" stops, "ja" is asked again."""
        text = " ".join(str(slot_value or "").split())
        if latest_intent(tracker) == "deny" or _NO.match(text):
            return _stopped("callback_phone")
        if no_answer(text, tracker) and not re.search(r"\d", text):
            return {"callback_phone": None, **offer_way_out(dispatcher, tracker)}
        return {"callback_phone": text or None, **answered(tracker)}

    @staticmethod
    def _callback_answer(text: str, intent: str) -> dict[str, Any]:
        """At "shall I ask for a call back?": "nee" stops without a ticket; a number or a
        time is a correction of when and where; anything else asks again."""
        if intent == "deny" or _NO.match(text):
            return _stopped("confirm")
        if re.search(r"\d", text):
            return {"callback_phone": " ".join(text.split()), "confirm": None}
        return {"confirm": None}

class ActionCancelTicket(Action):
    """The employee stopped: say so and forget the ticket."""

    def name(self) -> str:
        return "action_cancel_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_incident_cancelled")
        text = str((tracker.latest_message or {}).get("text") or "")
        if latest_intent(tracker) == "goodbye" or _BYE.match(text):
            dispatcher.utter_message(response="utter_goodbye")  # "doei" halfway a report
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


def _plausible_answer(
    slot: str,
    slot_value: Any,
    read: Callable[[str], object],
    implausible: type[Exception],
    dispatcher: CollectingDispatcher,
) -> dict[str, Any]:
    """The answer kept as said, or asked again (`utter_<slot>_implausible`) when `read`
    finds it impossible."""
    text = own_part(slot, str(slot_value or ""))
    try:
        read(text)
    except implausible:
        dispatcher.utter_message(response=f"utter_{slot}_implausible")
        return {slot: None}
    return {slot: text or None}


def _free_answer(
    slot: str,
    own: Callable[[str], str | None],
    other: Callable[[str], str | None],
    slot_value: Any,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
) -> dict[str, Any]:
    """A free-text answer kept as said; of an answer that also answers the other request
    question ("kamer 2.07, voor vrijdag") only its own part. "ja" or "hoi" is no answer."""
    text = " ".join(str(slot_value or "").split())
    asked = tracker.get_slot("requested_slot") == slot
    if asked and (not text or no_answer(text, tracker)) and not own(text):
        return {slot: None, **offer_way_out(dispatcher, tracker)}
    part = own(text)
    if part and other(text):
        text = part
    return {slot: text or None, **(answered(tracker) if asked else {})}
