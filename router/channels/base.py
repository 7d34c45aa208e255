"""What a sender of the outbox is: one channel, one `send` that returns the channel's
acknowledgement or raises SendFailed (to try again later, or refused for good)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class SendFailed(Exception):
    """The channel did not take the message. `reason` names the kind only (a status code,
    an exception class), never the message or the recipient."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class Delivered:
    """An acknowledgement that also names the receiver's own number for the ticket (the
    incident number in a supplier's TOPdesk): it becomes the ticket's supplier reference."""

    acknowledgement: str
    supplier_reference: str | None = None


class Sender(Protocol):
    @property
    def channel(self) -> str: ...

    def send(
        self, *, recipient: str, body: str, idempotency_key: str, subject: str | None = None
    ) -> str | Delivered:
        """Deliver `body`; the channel's id of the delivered message. Raises SendFailed."""
        ...
