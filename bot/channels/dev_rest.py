"""Rasa's REST channel, for development and tests only: on when LOKET_TRUST_REST_EMAIL is.

Whoever reaches the REST webhook picks their own sender id and metadata, so in production it
answers nothing (404) and identity comes from Teams or a linked Telegram account. `make run`,
`make chat` and the tests turn it on, and the log says so at start. The actions check the
same setting before they believe the metadata e-mail (actions/identity.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from actions.identity import TRUST_REST_EMAIL, trust_rest_email

logger = logging.getLogger(__name__)


class DevRestInput(RestInput):
    """POST /webhooks/rest/webhook, as Rasa's own, registered only in development."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if not trust_rest_email():
            logger.info("bot.rest_channel state=off: set %s=true to use it", TRUST_REST_EMAIL)
            return Blueprint("rest_webhook_off", __name__)
        logger.warning(
            "bot.rest_channel state=on: %s is set, so anyone who reaches this server can chat "
            "as any e-mail address; development and tests only", TRUST_REST_EMAIL
        )  # fmt: skip
        return super().blueprint(on_new_message)
