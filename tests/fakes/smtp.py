"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller

from tests.e2e.stack import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        # Called once a mail was taken, before the server says so (then cleared).
        self.on_received: Callable[[], None] | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
            received, self.on_received = self.on_received, None
        if received is not None:
            received()
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def last_code(self, address: str) -> str:
        mails = self.to(address)
        assert mails, f"no mail to {address}"
        found = re.search(r"\b(\d{6})\b", mails[-1].get_payload(decode=True).decode())
        assert found
        return found.group(1)


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
