"""After linking a Telegram account the conversation goes on with what asked for the link
(actions/linking.py), and the router's confirmation is proof for that turn only."""

from __future__ import annotations

from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import employee_email, identified
from actions.linking import ActionLinkDone
from tests.actions.conftest import make_tracker

ANNA = "anna.jansen@dijkstede.nl"


def _code_turn(confirmed: str | None, resume: dict | None, **slots):
    """The turn in which the employee typed the code (Telegram, no identity on the message)."""
    tracker = make_tracker("483920", channel="telegram", slots={"link_resume": resume, **slots})
    if confirmed:
        tracker.events.append({"event": "slot", "name": "link_confirmed", "value": confirmed})
        tracker.events.append({"event": "slot", "name": "link_confirmed", "value": None})
    return tracker


async def _done(tracker):
    return await ActionLinkDone().run(CollectingDispatcher(), tracker, {})


def test_the_confirmed_link_is_proof_in_its_own_turn_only():
    tracker = _code_turn(ANNA, None)
    assert identified(tracker) and employee_email(tracker) == ANNA
    later = _code_turn(ANNA, None)
    later.events.append({"event": "user", "text": "ja", "input_channel": "telegram"})
    later.latest_message = {"text": "ja", "metadata": {}}
    assert not identified(later) and employee_email(later) is None
    # The same slot typed in by a user on another channel proves nothing either.
    rest = make_tracker("hoi", slots={"link_confirmed": ANNA})
    assert employee_email(rest) is None


async def test_a_report_begun_before_the_link_goes_on_after_it():
    events = await _done(_code_turn(ANNA, {"then": "ticket", "reference": None},
                                    description="de printer doet het niet"))  # fmt: skip
    assert events[-1] == FollowupAction("ticket_form")
    assert SlotSet("description", None) not in events  # the report is kept


async def test_a_status_question_goes_on_with_its_reference_not_the_code():
    events = await _done(_code_turn(ANNA, {"then": "status", "reference": "M-2026-000123"},
                                    ticket_number="M-2026-483920"))  # fmt: skip
    assert SlotSet("ticket_number", "M-2026-000123") in events
    assert events[-1] == FollowupAction("action_ticket_status")


async def test_without_a_link_the_report_is_let_go_and_nothing_follows():
    events = await _done(_code_turn(None, {"then": "ticket", "reference": None},
                                    description="de printer doet het niet"))  # fmt: skip
    assert SlotSet("description", None) in events
    assert not any(isinstance(e, dict) and e.get("event") == "followup" for e in events)
