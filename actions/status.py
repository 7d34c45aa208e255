"""action_ticket_status: one of the employee's own tickets, or all their open ones."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import identified, linked_this_turn, who
from actions.linking import ask_to_link, needs_link
from actions.references import normalise_reference
from actions.router_client import RouterClient, RouterError, RouterRejected
from actions.wording import language, moment, status_word

logger = logging.getLogger(__name__)

MAX_COMMENTS = 3


def asked_reference(tracker: Tracker) -> str | None:
    """The reference the latest message names (entity first, then the text itself)."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "ticket_number":
            found = normalise_reference(str(entity.get("value") or ""))
            if found:
                return found
    return normalise_reference((tracker.latest_message or {}).get("text") or "")


def ticket_line(ticket: dict[str, Any], lang: str) -> str:
    """ "- M-2026-000123 "title": in behandeling (Centric)"."""
    return (
        f'- {ticket["reference"]} "{ticket.get("title", "")}": '
        f"{status_word(ticket.get('status'), lang)} ({ticket.get('destination_name') or '-'})"
    )


def tell_status(dispatcher: CollectingDispatcher, ticket: dict[str, Any], lang: str) -> None:
    due = ticket.get("sla_due_at")
    open_ = ticket.get("status") not in ("resolved", "closed", "withdrawn")
    due_text = ""
    if due and open_:
        due_text = (f" Verwachte oplossing: uiterlijk {moment(due, lang)}." if lang == "nl"
                    else f" Expected resolution: by {moment(due, lang)}.")  # fmt: skip
    if ap_deadline := ticket.get("ap_deadline_at"):  # a data breach whose 72 hours still run
        due_text += (
            f" Melden bij de Autoriteit Persoonsgegevens: uiterlijk {moment(ap_deadline, lang)}."
            if lang == "nl"
            else f" To be reported to the Dutch DPA by {moment(ap_deadline, lang)}."
        )
    dispatcher.utter_message(
        response="utter_ticket_status",
        reference=ticket["reference"],
        title=ticket.get("title", ""),
        status=status_word(ticket.get("status"), lang),
        destination_name=ticket.get("destination_name") or "-",
        updated=moment(ticket.get("updated_at"), lang),
        due_text=due_text,
    )
    comments = [c for c in ticket.get("comments") or [] if c.get("to_reporter", True)]
    for comment in comments[-MAX_COMMENTS:]:
        dispatcher.utter_message(
            response="utter_ticket_comment",
            author=comment.get("author", "servicedesk"),
            at=moment(comment.get("at"), lang),
            text=comment.get("text", ""),
        )


class ActionTicketStatus(Action):
    """Status, destination, last update and staff comments; only the employee's own tickets."""

    def name(self) -> str:
        return "action_ticket_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang, reference = language(tracker), asked_reference(tracker)
        if linked_this_turn(tracker):  # the latest message is the code, not a reference
            reference = tracker.get_slot("ticket_number")
        if needs_link(tracker):  # Telegram, not linked yet: link first, then the status
            return ask_to_link(dispatcher, "status", reference)
        if not identified(tracker):
            dispatcher.utter_message(response="utter_unknown_employee")
            return [SlotSet("ticket_number", None)]
        try:
            client = RouterClient.from_env()
            if reference:
                tell_status(dispatcher, await client.my_ticket(reference, who(tracker)), lang)
            else:
                tickets = await client.my_tickets(who(tracker))
                if tickets:
                    lines = "\n".join(ticket_line(t, lang) for t in tickets)
                    dispatcher.utter_message(response="utter_own_tickets", lines=lines)
                else:
                    dispatcher.utter_message(response="utter_no_open_tickets")
        except RouterRejected as exc:
            # Someone else's ticket and a non-existent one get the same answer (404).
            logger.info("actions.status.rejected status=%s", exc.status)
            if exc.status == 404:
                dispatcher.utter_message(response="utter_ticket_not_found", reference=reference)
            else:
                dispatcher.utter_message(response="utter_bad_reference")
        except RouterError as exc:
            logger.error("actions.status.failed error=%s", type(exc).__name__)
            dispatcher.utter_message(response="utter_service_unavailable")
        return [SlotSet("ticket_number", None)]
