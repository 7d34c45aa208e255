"""withdraw_form: which of the employee's own tickets, "are you sure?", then withdraw it."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import identified, who
from actions.linking import ask_to_link, needs_link
from actions.references import normalise_reference
from actions.router_client import RouterClient, RouterError, RouterRejected
from actions.status import ticket_line
from actions.ticket_form import latest_intent
from actions.wording import language, status_word

logger = logging.getLogger(__name__)

FINISHED = ("resolved", "closed", "withdrawn")
# withdraw_confirm: "yes", "no", or "impossible" (the ticket is already finished).
_YES_WORDS = ("ja", "yes", "jawel", "klopt", "doe maar", "prima", "ok")
_NO_WORDS = ("nee", "no", "niet", "toch niet")


class ValidateWithdrawForm(FormValidationAction):
    """The reference must be one of the employee's own tickets that is still open."""

    def name(self) -> str:
        return "validate_withdraw_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # Without an identity nothing to ask: action_withdraw_ticket tells why.
        return list(domain_slots) if identified(tracker) else []

    async def validate_ticket_number(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        reference = normalise_reference(str(slot_value or ""))
        if not identified(tracker):  # kept for after the link (actions/linking.py)
            return {"ticket_number": reference}
        if reference is None:
            if tracker.get_slot("requested_slot") == "ticket_number":
                dispatcher.utter_message(response="utter_bad_reference")
            return {"ticket_number": None}
        try:
            ticket = await RouterClient.from_env().my_ticket(reference, who(tracker))
        except RouterRejected:
            dispatcher.utter_message(response="utter_ticket_not_found", reference=reference)
            return {"ticket_number": None}
        except RouterError as exc:
            logger.error("actions.withdraw.failed error=%s", type(exc).__name__)
            dispatcher.utter_message(response="utter_service_unavailable")
            return {"ticket_number": reference, "withdraw_confirm": "impossible"}
        if ticket.get("status") in FINISHED:
            dispatcher.utter_message(
                response="utter_withdraw_impossible",
                reference=reference,
                status=status_word(ticket.get("status"), language(tracker)),
            )
            return {"ticket_number": reference, "withdraw_confirm": "impossible"}
        return {"ticket_number": reference}

    async def validate_withdraw_confirm(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value == "impossible":
            return {"withdraw_confirm": "impossible"}
        intent, text = latest_intent(tracker), str(slot_value or "").lower().strip()
        if intent == "affirm" or text.startswith(_YES_WORDS):
            return {"withdraw_confirm": "yes"}
        if intent in ("deny", "stop") or text.startswith(_NO_WORDS):
            return {"withdraw_confirm": "no"}
        return {"withdraw_confirm": None}


class ActionAskTicketNumber(Action):
    """Asks which ticket, listing the employee's open ones."""

    def name(self) -> str:
        return "action_ask_ticket_number"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            tickets = await RouterClient.from_env().my_tickets(who(tracker))
        except RouterError:
            tickets = []
        if tickets:
            lines = "\n".join(ticket_line(t, language(tracker)) for t in tickets)
            dispatcher.utter_message(response="utter_ask_ticket_number_choice", lines=lines)
        else:
            dispatcher.utter_message(response="utter_ask_ticket_number")
        return []


class ActionAskWithdrawConfirm(Action):
    """ "Do you want to withdraw M-... "title"?" """

    def name(self) -> str:
        return "action_ask_withdraw_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reference = tracker.get_slot("ticket_number")
        try:
            title = (await RouterClient.from_env().my_ticket(reference, who(tracker))).get("title")
        except RouterError:
            title = ""
        dispatcher.utter_message(
            response="utter_ask_withdraw_confirm", reference=reference, title=title or ""
        )
        return []


class ActionWithdrawTicket(Action):
    """Withdraws the ticket when the employee confirmed."""

    def name(self) -> str:
        return "action_withdraw_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reference = tracker.get_slot("ticket_number")
        answer = tracker.get_slot("withdraw_confirm")
        reset: list[EventType] = [SlotSet("ticket_number", None), SlotSet("withdraw_confirm", None)]
        if needs_link(tracker):  # Telegram, not linked yet: link first, then the withdrawal
            return reset + ask_to_link(dispatcher, "withdraw", reference)
        if not identified(tracker):
            dispatcher.utter_message(response="utter_unknown_employee")
            return reset
        if answer == "no":
            dispatcher.utter_message(response="utter_withdraw_kept", reference=reference)
        if answer != "yes":
            return reset
        try:
            ticket = await RouterClient.from_env().withdraw(
                reference, who(tracker), reason="Ingetrokken door de melder via Loket"
            )
        except RouterRejected as exc:
            logger.info("actions.withdraw.rejected status=%s", exc.status)
            if exc.status == 409:
                dispatcher.utter_message(
                    response="utter_withdraw_impossible", reference=reference,
                    status=status_word("closed", language(tracker)),
                )  # fmt: skip
            else:
                dispatcher.utter_message(response="utter_ticket_not_found", reference=reference)
            return reset
        except RouterError as exc:
            logger.error("actions.withdraw.failed error=%s", type(exc).__name__)
            dispatcher.utter_message(response="utter_service_unavailable")
            return reset
        logger.info("actions.ticket.withdrawn reference=%s", ticket.get("reference"))
        dispatcher.utter_message(response="utter_ticket_withdrawn", reference=reference)
        return reset
