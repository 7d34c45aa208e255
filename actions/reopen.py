""""nee" after "je melding is opgelost": the reporter's ticket opens again.

The resolved notification is sent by `loket worker` straight to the chat, outside the
conversation Rasa keeps. A "nee" that answers no question of the assistant refers to it when
a ticket of theirs was resolved after the assistant last spoke to them (within two weeks);
otherwise it is just a no.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import identified, who
from actions.router_client import RouterClient, RouterError

logger = logging.getLogger(__name__)
REOPEN_WITHIN = timedelta(days=14)


def _last_bot_message_at(tracker: Tracker) -> datetime | None:
    for event in reversed(tracker.events):
        if event.get("event") == "bot" and event.get("timestamp"):
            return datetime.fromtimestamp(float(event["timestamp"]), tz=timezone.utc)
    return None


def resolved_since(tickets: list[dict], since: datetime | None, now: datetime) -> dict | None:
    """The newest of `tickets` resolved after `since` and within REOPEN_WITHIN of `now`."""
    latest: tuple[datetime, dict] | None = None
    for ticket in tickets:
        if ticket.get("status") != "resolved" or not ticket.get("resolved_at"):
            continue
        at = datetime.fromisoformat(str(ticket["resolved_at"]).replace("Z", "+00:00"))
        if now - at > REOPEN_WITHIN or (since is not None and at <= since):
            continue
        if latest is None or at > latest[0]:
            latest = (at, ticket)
    return latest[1] if latest else None


class ActionDenyWithoutQuestion(Action):
    def name(self) -> str:
        return "action_deny_without_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ticket = await self._resolved_ticket(tracker) if identified(tracker) else None
        if ticket is None:
            dispatcher.utter_message(response="utter_okay")
            return []
        try:
            await RouterClient.from_env().reopen(ticket["reference"], who(tracker))
        except RouterError as exc:
            logger.warning("actions.reopen.failed error=%s", type(exc).__name__)
            dispatcher.utter_message(response="utter_reopen_failed", reference=ticket["reference"])
            return []
        logger.info("actions.reopen.done reference=%s", ticket["reference"])
        dispatcher.utter_message(response="utter_ticket_reopened", reference=ticket["reference"])
        return []

    @staticmethod
    async def _resolved_ticket(tracker: Tracker) -> dict | None:
        try:
            tickets = await RouterClient.from_env().my_tickets(who(tracker), finished_too=True)
        except RouterError as exc:
            logger.warning("actions.reopen.unavailable error=%s", type(exc).__name__)
            return None
        now = datetime.now(timezone.utc)
        return resolved_since(tickets, _last_bot_message_at(tracker), now)
