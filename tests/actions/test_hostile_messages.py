"""Issue 17, the assistant's side: hostile chat messages (very long, only emoji, HTML and
script tags, SQL, NUL bytes, right-to-left marks) never crash an action; the ticket is filed
with the text as typed, less the C0 control characters the action server strips."""

from __future__ import annotations

import time

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import incident_text
from actions.incident_text import DESCRIPTION_MAX_CHARS, TITLE_MAX_CHARS, make_title
from actions.router_client import strip_controls
from actions.ticket_form import ValidateTicketForm
from actions.tickets import ActionCreateTicket
from tests.actions.conftest import make_tracker

SENTENCE = "Key2Burgerzaken loopt vast bij het opslaan van een aanvraag. "
HOSTILE = {
    "lang": (SENTENCE * 200)[:DESCRIPTION_MAX_CHARS],  # exactly 10,000 characters
    "te_lang": SENTENCE * 300,  # 18,000: cut to what the router takes
    "emoji": "😡🖨️🔥💥🙏🏽👩‍💻",
    "html": '<script>alert("x")</script><b>vet</b> <img src=x onerror=alert(1)> printer stuk',
    "sql": "'; DROP TABLE ticket; -- printer werkt niet\" OR 1=1 /*",
    "nul": "printer\x00 werkt\x00 niet\x07 sinds\x1b[2J vanochtend",
    "rtl": "\u202eten kapot printer\u202c \u200fשלום\u200f en \u200dverder niets",
}
C0 = [chr(c) for c in range(32) if chr(c) not in "\t\r\n"]
DOMAIN = {"forms": {"ticket_form": {"required_slots": ["municipality", "description"]}}}


@pytest.mark.parametrize("name", HOSTILE)
def test_the_text_helpers_cope_quickly(name):
    text = HOSTILE[name]
    started = time.perf_counter()
    title = make_title(text)
    assert 0 < len(title) <= TITLE_MAX_CHARS
    assert isinstance(incident_text.describes_problem(text), bool)
    assert isinstance(incident_text.sounds_like_problem(text), bool)
    assert incident_text.estimate_impact(text) in {"low", "medium", "high"}
    for read in (incident_text.infer_affected, incident_text.infer_urgency,
                 incident_text.parse_affected, incident_text.parse_urgency):  # fmt: skip
        assert read(text) in {None, "low", "medium", "high"}
    # No regular expression that backtracks for seconds on a long message.
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("name", HOSTILE)
async def test_the_form_takes_the_description_or_asks_again(name):
    tracker = make_tracker(HOSTILE[name], slots={"ticket_kind": "incident",
                                                 "requested_slot": "description"})  # fmt: skip
    dispatcher = CollectingDispatcher()
    found = await ValidateTicketForm().validate_description(
        HOSTILE[name], dispatcher, tracker, DOMAIN
    )
    if found["description"] is None:  # only emoji: no problem described, asked again
        assert name == "emoji"
        assert [m["response"] for m in dispatcher.messages] == ["utter_need_more_description"]
    else:
        assert found["description"] == " ".join(HOSTILE[name].split())


@pytest.mark.parametrize("name", HOSTILE)
async def test_a_hostile_description_is_filed_as_text_without_controls(router, tap, name):
    typed = HOSTILE[name]
    tracker = make_tracker("ja", intent="affirm", email=f"{name}@dijkstede.nl",
                           sender=f"hostile-{name}", history=[("user", typed)], slots={
        "ticket_kind": "incident", "municipality": "Gemeente Dijkstede",
        "application": "Key2Burgerzaken", "description": typed,
        "affected": "low", "urgency": "medium", "confirm": "yes",
    })  # fmt: skip
    dispatcher = CollectingDispatcher()
    await ActionCreateTicket().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_ticket_created", message
    [(_, body)] = tap.posts("/api/tickets")
    assert not any(c in str(body) for c in C0)
    [(title, description)] = router.rows(
        "SELECT title, description FROM ticket WHERE reference = ?", message["reference"]
    )
    assert description == strip_controls(typed)[:DESCRIPTION_MAX_CHARS]
    assert 0 < len(title) <= 200 and not any(c in title for c in C0)
