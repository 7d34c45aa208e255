"""The purge of the assistant's conversations in Rasa's SQL tracker store, on SQLite and
PostgreSQL: Rasa's `events` table is made here with its columns (Rasa is not installed in
the service's environment)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    insert,
    select,
    text,
)
from structlog.testing import capture_logs

from router.settings import WorkerSettings
from router.worker.jobs import registered_jobs
from router.worker.runner import JobContext
from router.worker.schedule import DailyAt
from router.worker.tracker_purge import purge_conversations, tracker_purge_job
from tests.fixtures import POSTGRES_URL

NOW = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)  # 03:30 in Amsterdam
RASA = MetaData()
EVENTS = Table(  # as Rasa 3.6's SQLTrackerStore creates it
    "events",
    RASA,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def tracker_url(request, tmp_path):
    """An empty tracker store with Rasa's table."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tracker.db'}"
        _create_events(url)
        yield url
        return
    schema = f"rasa_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    try:
        _create_events(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _create_events(url: str) -> None:
    engine = create_engine(url)
    RASA.create_all(engine)
    engine.dispose()


def _conversation(url: str, sender: str, *days_ago: float) -> None:
    """One event per age (days before NOW), as Rasa writes them."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for age in days_ago:
            moment = (NOW - timedelta(days=age)).timestamp()
            data = {"event": "user", "text": f"hoi, ik ben {sender}", "timestamp": moment}
            conn.execute(
                insert(EVENTS).values(
                    sender_id=sender, type_name="user", timestamp=moment,
                    intent_name="greet", action_name=None, data=json.dumps(data),
                )
            )  # fmt: skip
    engine.dispose()


def _events_per_sender(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(EVENTS.c.sender_id, func.count()).group_by(EVENTS.c.sender_id)
        ).all()
    engine.dispose()
    return dict(rows)


def _settings(url: str | None, days: int = 30) -> WorkerSettings:
    return WorkerSettings(tracker_db_url=url, tracker_retention_days=days)


def test_old_conversations_go_whole_and_the_others_stay(tracker_url, org):
    _conversation(tracker_url, "oud", 45, 44, 31)
    _conversation(tracker_url, "ook-oud", 90)
    _conversation(tracker_url, "hervat", 60, 59, 10)  # old events, but spoken 10 days ago
    _conversation(tracker_url, "nieuw", 2, 1)
    job = tracker_purge_job(_settings(tracker_url), org)
    assert job is not None and job.schedule == DailyAt(time(3, 30), "Europe/Amsterdam")
    with capture_logs() as logs:
        detail = job.run(JobContext(engine=None, now=NOW, last=None))  # type: ignore[arg-type]
    assert detail == {"days": 30, "conversations": 2, "events": 4}
    assert _events_per_sender(tracker_url) == {"hervat": 3, "nieuw": 2}
    (line,) = [entry for entry in logs if entry["event"] == "router.tracker_purge.purged"]
    assert line == {"event": "router.tracker_purge.purged", "log_level": "info", "days": 30,
                    "conversations": 2, "events": 4}  # fmt: skip
    assert job.run(JobContext(engine=None, now=NOW, last=None)) == {  # type: ignore[arg-type]
        "days": 30, "conversations": 0, "events": 0,
    }  # fmt: skip


def test_the_purge_works_in_batches(tracker_url):
    for n in range(5):
        _conversation(tracker_url, f"gesprek-{n}", 40 + n, 35)
    _conversation(tracker_url, "nieuw", 29)
    engine = create_engine(tracker_url)
    try:
        counts = purge_conversations(engine, before=NOW - timedelta(days=30), batch=2)
    finally:
        engine.dispose()
    assert counts == {"conversations": 5, "events": 10}
    assert _events_per_sender(tracker_url) == {"nieuw": 1}


def test_the_purge_is_a_job_only_when_the_tracker_store_is_set(org):
    with capture_logs() as logs:
        names = [job.name for job in registered_jobs(_settings(None), org)]
    assert "tracker-purge" not in names and "retention" in names
    assert {"event": "router.tracker_purge.off", "log_level": "info",
            "reason": "LOKET_TRACKER_DB_URL not set"} in logs  # fmt: skip
    names = [job.name for job in registered_jobs(_settings("sqlite:///:memory:"), org)]
    assert "tracker-purge" in names


def test_the_settings_and_their_limits(monkeypatch):
    settings = WorkerSettings()
    assert (settings.retention_months, settings.tracker_retention_days) == (24, 30)
    assert settings.tracker_db_url is None
    monkeypatch.setenv("LOKET_TRACKER_DB_URL", "postgresql://rasa:geheim@db/rasa")
    monkeypatch.setenv("LOKET_RETENTION_MONTHS", "36")
    monkeypatch.setenv("LOKET_TRACKER_RETENTION_DAYS", "7")
    settings = WorkerSettings()
    assert (settings.retention_months, settings.tracker_retention_days) == (36, 7)
    assert "geheim" not in repr(settings)
    for name in ("LOKET_RETENTION_MONTHS", "LOKET_TRACKER_RETENTION_DAYS"):
        monkeypatch.setenv(name, "0")
        with pytest.raises(ValueError, match="greater than or equal to 1"):
            WorkerSettings()
        monkeypatch.setenv(name, "1")
    monkeypatch.setenv("LOKET_TRACKER_DB_URL", " ")
    assert WorkerSettings().tracker_db_url is None
