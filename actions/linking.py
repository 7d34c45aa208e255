"""Linking a Telegram account to the employee's municipal e-mail address.

Anyone can message a Telegram bot, so an unlinked account gets faq and outage answers only.
Before a ticket, a status or a withdrawal it links: `link_form` asks the address (its domain
says the municipality), the router service mails a one-time code, the employee types it
here. Codes, limits and blocks live in the router's store (router/store/linking.py); this
module only talks and relays. After a link the Telegram channel sends the address with
every message (actions/identity.py). Logs name outcomes, never the address or the code.

Nothing said before the link is lost: the action that asked for it keeps its slots and names
itself in `link_resume`, and once the code is right the conversation goes on there (the
report's next question, the status, the withdrawal) in the same turn.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import LINK_CONFIRMED, LINKED_CHANNELS, channel, identified, linked_this_turn
from actions.router_client import RouterClient, RouterError
from actions.ticket_kinds import TICKET_SLOTS

logger = logging.getLogger(__name__)

LINK_SLOTS = ("link_email", "link_code", "link_stopped", "link_resume", LINK_CONFIRMED)
# What asked for the link -> where the conversation goes on once it is made.
RESUME = {"ticket": "ticket_form", "status": "action_ticket_status", "withdraw": "withdraw_form"}
_STOP = re.compile(r"\b(laat maar|stop|stoppen|annuleer|cancel|never ?mind)\b", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[a-z]{2,}", re.IGNORECASE)
_CODE = re.compile(r"\b(\d{6})\b")

TEXTS = {
    "unknown_domain": "Dat adres hoort niet bij een van de gemeenten waarvoor Loket werkt. "
    "Gebruik je e-mailadres van het werk (bijvoorbeeld naam@dijkstede.nl), of neem contact "
    "op met de servicedesk.",
    "invalid_email": "Dat lijkt geen e-mailadres. Typ je e-mailadres van de gemeente, "
    'bijvoorbeeld naam@dijkstede.nl, of zeg "laat maar".',
    "rate_limited": "Er zijn het afgelopen uur al een paar codes gestuurd. Probeer het over "
    "een uur opnieuw, of neem contact op met de servicedesk.",
    "blocked": "Er is drie keer een verkeerde code ingevuld, dus koppelen kan een kwartier "
    "niet. Probeer het daarna opnieuw.",
    "mail_unavailable": "Het lukt nu niet om je een code te mailen. Probeer het later opnieuw, "
    "of neem contact op met de servicedesk.",
    "no_code": "Die code is verlopen of al gebruikt. Vraag me gerust opnieuw om een melding "
    "te maken, dan stuur ik een nieuwe code.",
    "unavailable": "Het koppelen lukt nu even niet, omdat het meldingensysteem niet bereikbaar "
    "is. Probeer het over een paar minuten opnieuw.",
    "stopped": "Oké, dan koppel ik je account niet. Vragen beantwoorden kan ik nog steeds.",
}


def needs_link(tracker: Tracker) -> bool:
    """True on a linked-identity channel (Telegram) for an account that is not linked yet."""
    return channel(tracker) in LINKED_CHANNELS and not identified(tracker)


def ask_to_link(
    dispatcher: CollectingDispatcher, then: str, reference: str | None = None
) -> list[EventType]:
    """Explain why, and start the linking form; `then` (a key of RESUME) goes on after it,
    with the ticket `reference` it was about (the code's turn may set `ticket_number`)."""
    dispatcher.utter_message(response="utter_link_needed")
    resume = {"then": then, "reference": reference}
    return [*(SlotSet(slot, None) for slot in LINK_SLOTS), SlotSet("link_resume", resume),
            FollowupAction("link_form")]  # fmt: skip


def _resume(tracker: Tracker) -> tuple[str | None, str | None]:
    """What waits for the link, and the ticket reference it was about."""
    resume = tracker.get_slot("link_resume")
    if not isinstance(resume, dict) or resume.get("then") not in RESUME:
        return None, None
    return str(resume["then"]), resume.get("reference")


class ValidateLinkForm(FormValidationAction):
    def name(self) -> str:
        return "validate_link_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return [] if tracker.get_slot("link_stopped") else ["link_email", "link_code"]

    async def validate_link_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        if _STOP.search(text):
            return _stop(dispatcher, "stopped")
        found = _EMAIL.search(text)
        if not found:
            dispatcher.utter_message(text=TEXTS["invalid_email"])
            return {"link_email": None}
        try:
            out = await RouterClient.from_env().link_start(
                channel=channel(tracker), sender_id=tracker.sender_id, email=found.group()
            )
        except RouterError as exc:
            logger.error("actions.link.start_failed error=%s", type(exc).__name__)
            return _stop(dispatcher, "unavailable")
        result = out.get("result")
        logger.info("actions.link.start result=%s", result)
        if result == "sent":
            dispatcher.utter_message(
                text=f"Ik heb een code van zes cijfers gestuurd naar {found.group().lower()} "
                f"({out.get('municipality')}). Typ die code hier; hij werkt tien minuten."
            )
            return {"link_email": found.group().lower()}
        if result == "invalid_email":
            dispatcher.utter_message(text=TEXTS["invalid_email"])
            return {"link_email": None}
        return _stop(dispatcher, result if result in TEXTS else "unavailable")

    async def validate_link_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        if _STOP.search(text):
            return _stop(dispatcher, "stopped")
        found = _CODE.search(text)
        if not found:
            dispatcher.utter_message(text='Typ de zes cijfers uit de mail, of zeg "laat maar".')
            return {"link_code": None}
        try:
            out = await RouterClient.from_env().link_confirm(
                channel=channel(tracker), sender_id=tracker.sender_id, code=found.group(1)
            )
        except RouterError as exc:
            logger.error("actions.link.confirm_failed error=%s", type(exc).__name__)
            return _stop(dispatcher, "unavailable")
        result = out.get("result")
        logger.info("actions.link.confirm result=%s", result)
        if result == "linked":
            resumes = _resume(tracker)[0] is not None
            dispatcher.utter_message(
                response="utter_link_done_resume" if resumes else "utter_link_done",
                municipality=out.get("municipality") or "je gemeente",
            )
            # The channel looked the link up before this message: this turn's proof is here.
            return {"link_code": "ok", LINK_CONFIRMED: tracker.get_slot("link_email")}
        if result == "wrong_code":
            left = int(out.get("tries_left") or 0)
            dispatcher.utter_message(
                text=f"Die code klopt niet. Je kunt het nog {left} keer proberen."
            )
            return {"link_code": None}
        return _stop(dispatcher, result if result in TEXTS else "unavailable")


def _stop(dispatcher: CollectingDispatcher, why: str) -> dict[str, Any]:
    dispatcher.utter_message(text=TEXTS[why])
    return {"link_stopped": True, "link_email": None, "link_code": None, "requested_slot": None}


class ActionLinkDone(Action):
    """After the form: forget its answers (the link itself lives in the router's store) and
    go on with what asked for the link; without a link, a waiting report is dropped."""

    def name(self) -> str:
        return "action_link_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [SlotSet(slot, None) for slot in LINK_SLOTS]
        then, reference = _resume(tracker)
        if then is None:
            return events
        linked = linked_this_turn(tracker) is not None
        if then != "ticket":
            # The code's own turn may have set ticket_number ("123456" reads like one).
            events.append(SlotSet("ticket_number", reference if linked else None))
        if linked:
            logger.info("actions.link.resumed what=%s", then)
            return [*events, FollowupAction(RESUME[then])]
        if then == "ticket":  # not linked: nothing can be filed, the report is let go
            events += [SlotSet(slot, None) for slot in TICKET_SLOTS]
        return events
