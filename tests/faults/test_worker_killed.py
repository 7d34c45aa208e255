"""A `loket worker` killed (SIGKILL) while sending: the receiver has taken the forward, the
worker never recorded it. After a restart the forward goes again with the same key, so the
receiver keeps one (a webhook's Idempotency-Key, a mail's Message-ID); once recorded it is
never sent again. SQLite and PostgreSQL.

The in-process outbox tests cover the states (tests/store/test_outbox.py: a lapsed claim is
sent, an acknowledged message never again); this one kills a real worker process at the
worst moment: the receiver kills it from inside the delivery, before answering.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from router.domain.forwarding import message_id
from router.domain.org import load_organisation
from router.store import forwarding, outbox
from router.store import tickets as store
from router.store.engine import make_engine
from router.store.tables import OutboxMessage, utcnow
from tests.fakes.smtp import SmtpServer
from tests.fakes.suppliers import FakeSupplierWebhook
from tests.fixtures import ROOT, SAMPLE_ORG
from tests.store.test_forwarding import _ticket

WEBHOOK_URL = "https://api.pinkroccade.example.org/loket/meldingen"  # in the sample file
SENDER = "loket@de-delta.example.org"
VISMA = "servicedesk@visma-raet.example.org"  # Visma Raet's forwarding address in the sample


@dataclass
class Receivers:
    webhook: FakeSupplierWebhook
    smtp: SmtpServer

    def deliveries(self, channel: str) -> list[str]:
        """The key each delivery carried, in order of arrival."""
        if channel == "webhook":
            return [headers["Idempotency-Key"] for headers, _body in self.webhook.requests]
        return [mail["Message-ID"] for mail in self.smtp.inbox.to(VISMA)]

    def kill_on_next_delivery(self, channel: str, process: subprocess.Popen) -> None:
        def kill() -> None:
            process.send_signal(signal.SIGKILL)
            process.wait(30)

        if channel == "webhook":
            self.webhook.on_taken = kill
        else:
            self.smtp.inbox.on_received = kill


@pytest.fixture
def receivers():
    with SmtpServer() as smtp:
        webhook = FakeSupplierWebhook().start()
        try:
            yield Receivers(webhook, smtp)
        finally:
            webhook.stop()


def _org_file(tmp_path: Path, receivers: Receivers) -> Path:
    path = tmp_path / "org.yaml"
    text = SAMPLE_ORG.read_text(encoding="utf-8")
    assert WEBHOOK_URL in text
    path.write_text(text.replace(WEBHOOK_URL, receivers.webhook.url), encoding="utf-8")
    return path


def _worker(database_url: str, org_file: Path, receivers: Receivers):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LOKET_")},
        "DATABASE_URL": database_url,
        "LOKET_ORG_FILE": str(org_file),
        "LOKET_MODEL_DIR": str(org_file.parent / "models"),
        "LOKET_WORKER_POLL_SECONDS": "0.2",
        "LOKET_OUTBOX_EVERY_SECONDS": "0.2",
        "LOKET_SUPPLIER_PINKROCCADE_SECRET": receivers.webhook.secret,
        "LOKET_SMTP_HOST": "127.0.0.1",
        "LOKET_SMTP_PORT": str(receivers.smtp.port),
        "LOKET_SMTP_FROM": SENDER,
    }
    with (org_file.parent / "worker.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "router.cli", "worker"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _message(engine, message_id: int) -> OutboxMessage:
    with Session(engine) as session:
        return session.exec(select(OutboxMessage).where(OutboxMessage.id == message_id)).one()


def _lease_passes(engine, message_id: int) -> None:
    """The worker's claim runs out (five minutes in production): as if they had passed."""
    with Session(engine) as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()


def _wait_for(condition, what: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}; the worker's log:\n{log.read_text()[-3000:]}"
        time.sleep(0.1)


# The database matters for what a killed worker leaves behind (SQLite: the lock file of the
# one worker; PostgreSQL: the job's advisory lock); the channel for the receiver's key.
@pytest.mark.parametrize(
    ("channel", "database_url"),
    [("webhook", "sqlite"), ("webhook", "postgresql"), ("email", "postgresql")],
    indirect=["database_url"],
)
def test_a_worker_killed_before_recording_a_delivery_sends_it_again_with_the_same_key(
    channel, database_url, receivers, tmp_path
):
    org_file = _org_file(tmp_path, receivers)
    log = tmp_path / "worker.log"
    org = load_organisation(org_file)
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            application, municipality = (
                ("iBurgerzaken", "PLW") if channel == "webhook" else ("Youforce", "DYK")
            )
            ticket = _ticket(session, org, application=application, municipality=municipality)
            message = forwarding.forward(session, reference=ticket.reference, actor="sd", org=org)
            session.commit()
        assert message.channel == channel

        first = _worker(database_url, org_file, receivers)
        receivers.kill_on_next_delivery(channel, first)
        _wait_for(lambda: first.poll() is not None, "the worker was not killed", log)
        assert first.returncode == -signal.SIGKILL
        claimed = _message(engine, message.id)
        assert (claimed.status, claimed.attempts) == (outbox.SENDING, 1)
        assert receivers.deliveries(channel) == [_key_of(channel, message)]  # taken, not recorded
        # Its claim holds for the lease: no other worker sends it meanwhile.
        assert claimed.next_attempt_at > utcnow() + timedelta(minutes=4)

        _lease_passes(engine, message.id)
        second = _worker(database_url, org_file, receivers)
        try:
            _wait_for(
                lambda: _message(engine, message.id).status == outbox.SENT,
                "the restarted worker did not send it", log,
            )  # fmt: skip
            _lease_passes(engine, message.id)  # even once its time has come again...
            time.sleep(2)  # ...ten more rounds of the outbox send nothing
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(30) == 0

        sent = _message(engine, message.id)
        assert (sent.status, sent.attempts) == (outbox.SENT, 2)
        # Sent again after the restart, with the same key, and not a third time.
        assert receivers.deliveries(channel) == [_key_of(channel, message)] * 2
        if channel == "webhook":
            assert len(receivers.webhook.tickets) == 1  # the supplier kept one
            with Session(engine) as session:
                stored = store.get_ticket(session, ticket.reference)
                assert stored.supplier_reference == "PR-00001"
        else:
            assert sent.acknowledgement == _key_of(channel, message)
    finally:
        engine.dispose()


def _key_of(channel: str, message: OutboxMessage) -> str:
    """What the receiver dedupes by: the Idempotency-Key header, a mail's Message-ID."""
    if channel == "webhook":
        return message.idempotency_key
    return message_id(message.idempotency_key, SENDER.rpartition("@")[2])
