"""E-mail from the service (SMTP, configured by environment): the one-time linking code."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from router.channels.base import SendFailed


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int = 25
    sender: str = "loket@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout_seconds: float = 10.0

    def send(self, *, to: str, subject: str, text: str, message_id: str | None = None) -> str:
        """Send one plain-text mail; its Message-ID (a receiver's idempotency key)."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message["Message-ID"] = message_id or make_msgid(domain=self.sender.rpartition("@")[2])
        message.set_content(text)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username and self.password:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailed(f"smtp {type(exc).__name__}") from None
        return str(message["Message-ID"])


def code_mail(code: str, municipality: str) -> tuple[str, str]:
    """Subject and text of the linking code mail (Dutch)."""
    subject = f"Je code voor Loket: {code}"
    text = (
        f"Hallo,\n\nJe koppelt je Telegram-account aan Loket, de ICT-helpdesk van "
        f"{municipality}. Typ deze code in de chat:\n\n    {code}\n\n"
        "De code werkt tien minuten en één keer. Heb jij dit niet gevraagd? Dan kun je deze "
        "mail negeren; zonder de code wordt er niets gekoppeld.\n\nLoket\n"
    )
    return subject, text
