"""action_list_outages: the open known outages, for one application or in general."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalogue import CatalogueCache, short_name
from actions.identity import employee_email, municipality_of
from actions.router_client import RouterClient, RouterError
from actions.ticket_form import entity_values
from actions.wording import language, moment

logger = logging.getLogger(__name__)


class ActionListOutages(Action):
    """Lists the outages staff registered; filters by the employee's municipality when known."""

    def __init__(self) -> None:
        self._catalogue = CatalogueCache()

    def name(self) -> str:
        return "action_list_outages"

    async def _municipality(self, client: RouterClient, tracker: Tracker) -> str | None:
        if tracker.get_slot("municipality"):
            return str(tracker.get_slot("municipality"))
        email = employee_email(tracker)
        if not email:
            return None
        try:
            return municipality_of(tracker, await self._catalogue.get(client))
        except RouterError:
            return None

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = language(tracker)
        applications = entity_values(tracker, "application")
        application = applications[0] if applications else None
        client = RouterClient.from_env()
        try:
            municipality = await self._municipality(client, tracker)
            outages = await client.outages(application=application, municipality=municipality)
        except RouterError as exc:
            logger.error("actions.outages.failed error=%s", type(exc).__name__)
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        if not outages:
            if application:
                dispatcher.utter_message(response="utter_no_outages_for", application=application)
            else:
                dispatcher.utter_message(response="utter_no_outages")
            return []
        since = "sinds" if lang == "nl" else "since"
        lines = []
        for outage in outages:
            where = ", ".join(short_name(m) for m in outage.get("municipalities") or [])
            line = f"- {outage.get('application') or 'Algemeen'}: {outage['title']}"
            line += f" ({since} {moment(outage.get('started_at'), lang)}"
            line += f"; {where})" if where else ")"
            if outage.get("description"):
                line += f" {outage['description']}"
            lines.append(line)
        dispatcher.utter_message(response="utter_outages", lines="\n".join(lines))
        return []
