"""What a sender of the outbox is: one channel, one `send` that returns the channel's
acknowledgement or raises SendFailed (to try again later, or refused for good)."""

from __future__ import annotations

from typing import Protocol


class SendFailed(Exception):
    """The channel did not take the message. `reason` names the kind only (a status code,
    an exception class), never the message or the recipient."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Sender(Protocol):
    @property
    def channel(self) -> str: ...

    def send(self, *, recipient: str, body: str, idempotency_key: str) -> str:
        """Deliver `body`; the channel's id of the delivered message. Raises SendFailed."""
        ...
