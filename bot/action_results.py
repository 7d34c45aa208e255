"""Rasa 3.6 checks every answer of the action server with `jsonschema.validate`, which first
checks the schema itself against JSON Schema's metaschema, on every call. Measured here: 40-90
ms per custom action call, most of a bot turn (a turn runs one to three custom actions).

`install()` makes `RemoteAction` check the answers against the same schema with one validator
built once (the schema is checked once, at start): the same answers pass, the same answers
fail with the same `ValidationError`, in about 6 ms. Called by bot/rasa_server.py before Rasa
starts; it changes nothing else of Rasa.
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import ValidationError, validators


@functools.cache
def _validator() -> Any:
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(result: dict[str, Any]) -> bool:
    """Rasa's check of an action server answer, with the validator built once."""
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _validator().validate(result)
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise
    return True


def install() -> None:
    """Let Rasa's RemoteAction use `validate_action_result`."""
    from rasa.core.actions.action import RemoteAction

    def _validate(self: RemoteAction, result: dict[str, Any]) -> bool:
        return validate_action_result(result)

    RemoteAction._validate_action_result = _validate  # type: ignore[method-assign]
