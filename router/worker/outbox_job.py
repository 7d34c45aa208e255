"""The outbox sender of `loket worker`: due messages out, with retries and backoff.

Each message is claimed in its own committed transaction before it is sent and recorded in
another after (router/store/outbox.py explains the states). Log lines carry the message id
and ticket id only, never a recipient or a text.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Engine
from sqlmodel import Session

from router.channels.base import Delivered, Sender, SendFailed
from router.channels.mail import EmailSender, mailer_from
from router.channels.msteams import DEFAULT_TOKEN_URL, TeamsSender
from router.channels.telegram import DEFAULT_API_URL, TelegramSender
from router.channels.topdesk import TopdeskSender
from router.channels.webhook import WebhookSender
from router.domain.forwarding import SIGNATURE_WINDOW, unset_secrets
from router.domain.org import Organisation
from router.settings import WorkerSettings
from router.store import forwarding, linking, outbox, supplier_updates
from router.store.engine import writer
from router.store.tables import OutboxMessage
from router.worker.runner import Job, JobContext
from router.worker.schedule import Every

log = structlog.get_logger()
LEASE = timedelta(minutes=5)  # far beyond a send's timeout: a live claim never lapses
BATCH = 20
MAX_PER_RUN = 500


def senders_from(settings: WorkerSettings, org: Organisation) -> dict[str, Sender]:
    """The channels this worker can send on, from its settings and the organisation file.
    Webhooks and TOPdesk read each supplier's URL and secret when sending (secrets from the
    environment variables the organisation file names)."""
    senders: dict[str, Sender] = {
        "webhook": WebhookSender(org=org),
        "topdesk": TopdeskSender(org=org),
    }
    if settings.telegram_token is not None:
        senders["telegram"] = TelegramSender(
            token=settings.telegram_token.get_secret_value(),
            api_url=settings.telegram_api_url or DEFAULT_API_URL,
        )
    if settings.teams_app_id.strip() and settings.teams_app_password is not None:
        senders["msteams"] = TeamsSender(
            app_id=settings.teams_app_id.strip(),
            app_password=settings.teams_app_password.get_secret_value(),
            token_url=settings.teams_token_url or DEFAULT_TOKEN_URL,
        )
    mailer = mailer_from(settings)
    if mailer is not None:
        reply_to = org.forwarding.reply_to
        senders["email"] = EmailSender(mailer, reply_to=str(reply_to) if reply_to else None)
    return senders


def send_due(
    engine: Engine,
    senders: Mapping[str, Sender],
    *,
    backoff: outbox.Backoff,
    clock: Callable[[], datetime] | None = None,
    lease: timedelta = LEASE,
) -> dict[str, int]:
    """Send what is due now on the channels we have senders for; counts of the outcomes."""
    now = clock or (lambda: datetime.now(UTC))
    counts = {"sent": 0, "retry": 0, "flagged": 0}
    channels = frozenset(senders)
    if not channels:
        return counts
    while sum(counts.values()) < MAX_PER_RUN:
        with Session(writer(engine), expire_on_commit=False) as session:
            batch = outbox.claim_due(
                session, channels=channels, now=now(), lease=lease, limit=BATCH
            )
            session.commit()
        if not batch:
            break
        for message in batch:
            message_id = message.id or 0
            try:
                ack = _send(senders[message.channel], message)
            except SendFailed as exc:
                with Session(writer(engine)) as session:
                    status = forwarding.record_failed(
                        session, message_id=message_id, error=exc.reason, now=now(),
                        backoff=backoff, permanent=exc.permanent,
                    )  # fmt: skip
                    session.commit()
                kind = "flagged" if status == outbox.FLAGGED else "retry"
                counts[kind] += 1
                event = "router.outbox.flagged" if kind == "flagged" else "router.outbox.retry"
                log_call = log.warning if kind == "flagged" else log.info
                log_call(
                    event, message=message_id, ticket=message.ticket_id,
                    channel=message.channel, attempts=message.attempts, error=exc.reason,
                )  # fmt: skip
                continue
            delivered = ack if isinstance(ack, Delivered) else Delivered(ack)
            with Session(writer(engine)) as session:
                forwarding.record_delivered(
                    session, message_id=message_id, acknowledgement=delivered.acknowledgement,
                    now=now(), supplier_reference=delivered.supplier_reference,
                )  # fmt: skip
                session.commit()
            counts["sent"] += 1
            log.info(
                "router.outbox.sent", message=message_id, ticket=message.ticket_id,
                channel=message.channel, attempts=message.attempts,
            )  # fmt: skip
    return counts


def _send(sender: Sender, message: OutboxMessage) -> str | Delivered:
    """The channel's acknowledgement. Any other error than SendFailed (an answer no sender
    foresaw) is a failed try too: left to escape, it would stop the run and leave the message
    claimed, to be claimed again after every lease and never flagged."""
    try:
        return sender.send(
            recipient=message.recipient,
            body=message.body,
            idempotency_key=message.idempotency_key,
            subject=message.subject,
        )
    except SendFailed:
        raise
    except Exception as exc:
        log.error(
            "router.outbox.sender_error", message=message.id, ticket=message.ticket_id,
            channel=message.channel, error=type(exc).__name__,
        )  # fmt: skip
        raise SendFailed(f"{message.channel} {type(exc).__name__}") from None


def outbox_job(settings: WorkerSettings, org: Organisation) -> Job:
    senders = senders_from(settings, org)
    missing = unset_secrets(org, os.environ)
    if missing:  # forwards to these suppliers wait in the outbox until they are set
        log.warning("router.forwarding.secrets_unset", variables=missing)
    if "email" not in senders:
        log.info("router.outbox.email_off", reason="LOKET_SMTP_HOST not set")
    backoff = outbox.Backoff(
        first=timedelta(seconds=settings.outbox_first_retry_seconds),
        max_attempts=settings.outbox_max_attempts,
    )

    def run(context: JobContext) -> dict[str, Any]:
        return send_due(context.engine, senders, backoff=backoff)

    return Job("outbox", Every(settings.outbox_every_seconds), run)


UPDATES_KEPT = timedelta(days=7)  # Telegram gives up retrying an update after a day


def prune_updates_job() -> Job:
    """Forget the ids of chat updates handled more than a week ago."""

    def run(context: JobContext) -> dict[str, Any]:
        with Session(writer(context.engine)) as session:
            removed = linking.prune_updates(session, before=context.now - UPDATES_KEPT)
            session.commit()
        return {"removed": removed}

    return Job("channel-updates-prune", Every(6 * 3600), run)


def prune_signatures_job() -> Job:
    """Forget the signatures of suppliers' updates once their timestamps are refused anyway."""

    def run(context: JobContext) -> dict[str, Any]:
        with Session(writer(context.engine)) as session:
            removed = supplier_updates.prune_signatures(
                session, before=context.now - 2 * SIGNATURE_WINDOW
            )
            session.commit()
        return {"removed": removed}

    return Job("supplier-signatures-prune", Every(3600), run)
