"""The stores several Rasa servers share (bot/shared_stores.py): conversations in SQL, masked
at rest, readable by another server; conversation locks in Redis, held across servers."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
import redis
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.shared_stores import MaskedSQLTrackerStore, RedisUrlLockStore

BSN = "123456782"  # passes the 11-test
IBAN = "NL91 ABNA 0417 1643 00"
DOMAIN = Domain.from_dict({"slots": {"description": {"type": "text", "mappings": [
    {"type": "custom"}]}}})  # fmt: skip


def _postgres_database() -> Iterator[str]:
    """A fresh database on the test PostgreSQL, dropped afterwards (psycopg2: Rasa's driver)."""
    given = os.environ.get("LOKET_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    parts = urlsplit(given.replace("+psycopg", ""))
    name = f"loket_tracker_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(urlunsplit(parts))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def tracker_db_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
    else:
        yield from _postgres_database()


def _conversation(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(ActionExecuted("action_listen"))
    text = f"mijn bsn is {BSN} en rekening {IBAN}, de printer doet het niet"
    tracker.update(UserUttered(text, {"name": "report_incident", "confidence": 0.9},
                               parse_data={"text": text, "intent": {"name": "report_incident"}},
                               metadata={"email": "anna@dijkstede.nl"}))  # fmt: skip
    tracker.update(SlotSet("description", text))
    tracker.update(BotUttered(f"Klopt dit? {text}"))
    return tracker


async def test_the_rows_hold_no_bsn_or_iban_and_another_server_reads_the_conversation(
    tracker_db_url,
):
    first = MaskedSQLTrackerStore(domain=DOMAIN, host=tracker_db_url)
    await first.save(_conversation("anna-1"))
    with first.engine.connect() as connection:
        rows = [row[0] for row in connection.exec_driver_sql("SELECT data FROM events")]
    assert len(rows) == 4
    stored = "\n".join(rows)
    assert BSN not in stored and "ABNA 0417" not in stored and "[BSN]" in stored
    assert "**43 00" in stored  # the IBAN's last four stay, as in the router's store
    assert "anna@dijkstede.nl" in stored  # an address is no free text: kept

    second = MaskedSQLTrackerStore(domain=DOMAIN, host=tracker_db_url)  # another Rasa server
    tracker = await second.retrieve("anna-1")
    assert tracker is not None and tracker.latest_message.intent["name"] == "report_incident"
    assert tracker.get_slot("description").startswith("mijn bsn is [BSN]")
    first.engine.dispose()
    second.engine.dispose()


def test_without_a_url_the_store_says_which_setting_is_missing():
    with pytest.raises(ValueError, match="LOKET_TRACKER_DB_URL"):
        MaskedSQLTrackerStore(domain=DOMAIN, host=None)


async def test_a_conversation_locked_by_one_server_waits_on_the_other():
    url = os.environ.get("LOKET_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    prefix = f"t{uuid.uuid4().hex[:8]}"
    config = EndpointConfig(url=url, key_prefix=prefix)
    one, other = RedisUrlLockStore(config), RedisUrlLockStore(config)
    entered: list[str] = []

    async def second_turn() -> None:
        async with other.lock("anna-2", wait_time_in_seconds=0.02):
            entered.append("other")

    async with one.lock("anna-2", wait_time_in_seconds=0.02):
        entered.append("one")
        waiting = asyncio.create_task(second_turn())
        await asyncio.sleep(0.3)
        assert entered == ["one"]  # the other server waits for this turn to end
    await asyncio.wait_for(waiting, timeout=5)
    assert entered == ["one", "other"]
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()
