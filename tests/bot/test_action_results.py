"""bot/action_results.py: Rasa checks the action server's answers with a validator built
once, accepting and refusing exactly what Rasa's own check does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

from bot.action_results import install, validate_action_result

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "requested_slot", "value": "affected"}],
     "responses": [{"response": "utter_ask_affected"}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "x"}]},
]
BAD = [
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": [1, 2]},
]


@pytest.mark.parametrize("result", GOOD)
def test_what_rasa_accepts_is_accepted(result):
    validate(result, RemoteAction.action_response_format_spec())  # Rasa's own check
    assert validate_action_result(result) is True


@pytest.mark.parametrize("result", BAD)
def test_what_rasa_refuses_is_refused_with_its_message(result):
    with pytest.raises(ValidationError):
        validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        validate_action_result(result)


def test_install_puts_it_in_rasa(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result",
                        RemoteAction._validate_action_result)  # restored after the test
    install()
    action = RemoteAction("action_x", None)
    assert action._validate_action_result(GOOD[1]) is True
    with pytest.raises(ValidationError):
        action._validate_action_result(BAD[0])
