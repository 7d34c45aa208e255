"""E-mail from the service (SMTP, configured by environment): the one-time linking code, and
the outbox's e-mail (forwards to suppliers, alerts)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from router.channels.base import SendFailed
from router.domain.forwarding import message_id as message_id_of
from router.domain.forwarding import reference_of_subject, reply_address
from router.settings import SmtpSettings


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int = 25
    sender: str = "loket@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout_seconds: float = 10.0

    def send(
        self,
        *,
        to: str,
        subject: str,
        text: str,
        message_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Send one plain-text mail; its Message-ID (a receiver's idempotency key)."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message["Message-ID"] = message_id or make_msgid(domain=self.domain)
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(text)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username and self.password:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise SendFailed("smtp SMTPRecipientsRefused", permanent=True) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailed(f"smtp {type(exc).__name__}") from None
        return str(message["Message-ID"])

    @property
    def domain(self) -> str:
        return self.sender.rpartition("@")[2] or "localhost"


def mailer_from(settings: SmtpSettings) -> Mailer | None:
    """The service's mailer; None without LOKET_SMTP_HOST."""
    if not settings.smtp_host:
        return None
    password = settings.smtp_password
    return Mailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=password.get_secret_value() if password else None,
        starttls=settings.smtp_starttls,
    )


@dataclass(frozen=True)
class EmailSender:
    """The outbox's e-mail channel. The Message-ID is made of the message's idempotency key,
    so a repeat (a worker that died between the server's acceptance and the record) carries
    the same one. A mail about a ticket (its reference in brackets in the subject) gets the
    collaboration's reply address with the reference added: regie+M-2026-000123@..."""

    mailer: Mailer
    reply_to: str | None = None
    channel: str = "email"

    def send(
        self, *, recipient: str, body: str, idempotency_key: str, subject: str | None = None
    ) -> str:
        headers: dict[str, str] = {}
        reference = reference_of_subject(subject)
        if reference:
            headers["X-Loket-Reference"] = reference
            if self.reply_to:
                headers["Reply-To"] = reply_address(self.reply_to, reference)
        return self.mailer.send(
            to=recipient,
            subject=subject or "Bericht van Loket",
            text=body,
            message_id=message_id_of(idempotency_key, self.mailer.domain),
            headers=headers,
        )


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
