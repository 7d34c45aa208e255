"""The service's Telegram sender against a local fake of the Bot API."""

from __future__ import annotations

import pytest

from router.channels.base import SendFailed
from router.channels.telegram import TelegramSender, split_text
from tests.fakes.telegram_api import FakeTelegram


@pytest.fixture
def fake():
    running = FakeTelegram().start()
    yield running
    running.stop()


def test_send_message_returns_telegrams_message_id(fake):
    sender = TelegramSender(token=fake.token, api_url=fake.base_url)
    ack = sender.send(
        recipient="5001", body="Je melding M-2026-000001 is opgelost.", idempotency_key="k"
    )
    assert ack == "1"
    assert fake.sent[0]["chat_id"] == "5001" and "parse_mode" not in fake.sent[0]


def test_channel_down_is_a_failure_to_retry_and_a_refusal_is_for_good(fake):
    sender = TelegramSender(token=fake.token, api_url=fake.base_url)
    fake.down = True
    with pytest.raises(SendFailed) as down:
        sender.send(recipient="1", body="x", idempotency_key="k")
    assert not down.value.permanent and down.value.reason == "telegram sendMessage 502"
    unreachable = TelegramSender(token=fake.token, api_url="http://127.0.0.1:9", timeout_seconds=2)
    with pytest.raises(SendFailed) as refused:
        unreachable.send(recipient="1", body="x", idempotency_key="k")
    assert not refused.value.permanent


def test_long_text_is_split_within_telegrams_limit():
    text = ("woord " * 1500).strip()
    parts = split_text(text)
    assert all(len(p) <= 4096 for p in parts) and len(parts) == 3
    assert " ".join(parts) == text
