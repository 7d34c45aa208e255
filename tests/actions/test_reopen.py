""""nee" to "je melding is opgelost" reopens the ticket; any other "nee" is just a no."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from rasa_sdk.executor import CollectingDispatcher

from actions.reopen import ActionDenyWithoutQuestion, resolved_since
from tests.actions.conftest import make_tracker, responses

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def _ticket(reference, status, hours_ago):
    at = (NOW - timedelta(hours=hours_ago)).isoformat()
    return {"reference": reference, "status": status, "resolved_at": at}


def test_the_newest_ticket_resolved_since_the_bot_last_spoke_is_meant():
    tickets = [_ticket("M-2026-000001", "resolved", 5), _ticket("M-2026-000002", "resolved", 1),
               _ticket("M-2026-000003", "closed", 0.5)]  # fmt: skip
    assert resolved_since(tickets, NOW - timedelta(hours=10), NOW)["reference"] == "M-2026-000002"
    # The bot spoke after the resolution: this "nee" answers something else.
    assert resolved_since(tickets, NOW - timedelta(minutes=30), NOW) is None
    # Weeks ago is not what the employee answers now.
    assert resolved_since([_ticket("M-2026-000004", "resolved", 24 * 20)], None, NOW) is None


async def test_nee_after_the_resolved_notification_reopens_the_ticket(router):
    email = "nee-zegger@dijkstede.nl"
    reference = router.ticket(email, "Youforce toont geen rooster")
    router.call("POST", f"/api/tickets/{reference}/status", {"status": "resolved", "actor": "sd"})
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("nee", intent="deny", email=email)
    await ActionDenyWithoutQuestion().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_ticket_reopened"]
    assert dispatcher.messages[0]["reference"] == reference
    assert router.call("GET", f"/api/tickets/{reference}")["status"] == "reopened"
    again = CollectingDispatcher()  # nothing resolved any more: just a no
    await ActionDenyWithoutQuestion().run(again, make_tracker("nee", intent="deny", email=email), {})
    assert responses(again) == ["utter_okay"]
