"""`loket worker`'s purge of the assistant's conversations (AVG): Rasa keeps every event of a
conversation in its SQL tracker store (LOKET_TRACKER_DB_URL); a conversation whose newest
event is older than LOKET_TRACKER_RETENTION_DAYS is deleted whole, nightly.

Rasa's table is described here, not imported (Rasa lives in the assistant's environment):
`events`, one row per event, `timestamp` in unix seconds. A conversation that resumes while
it is being purged keeps its new events: only events from before the cutoff are deleted.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import structlog
from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    select,
)

from router.domain.org import Organisation
from router.settings import WorkerSettings
from router.store.engine import Timeouts, make_engine, writer
from router.worker.runner import Job, JobContext
from router.worker.schedule import DailyAt

log = structlog.get_logger()
RUN_AT = time(3, 30)  # local time, after the tickets' retention job
BATCH = 500  # conversations per transaction
# Finding the old conversations reads the whole table once: more than a request's 5 s.
TIMEOUTS = Timeouts(statement_ms=120_000, lock_ms=3_000, busy_ms=30_000)

EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


def purge_conversations(engine: Engine, *, before: datetime, batch: int = BATCH) -> dict[str, int]:
    """Delete every conversation whose newest event is older than `before`; how many
    conversations and events went."""
    cutoff = before.timestamp()
    e = EVENTS.c
    stale = (
        select(e.sender_id)
        .group_by(e.sender_id)
        .having(func.max(e.timestamp) < cutoff)
        .order_by(e.sender_id)
        .limit(batch)
    )
    counts = {"conversations": 0, "events": 0}
    while True:
        with writer(engine).begin() as connection:
            senders = list(connection.execute(stale).scalars())
            if senders:
                gone = connection.execute(
                    delete(EVENTS).where(e.sender_id.in_(senders), e.timestamp < cutoff)
                )
                counts["events"] += int(gone.rowcount)
        counts["conversations"] += len(senders)
        if len(senders) < batch:
            return counts


def tracker_purge_job(settings: WorkerSettings, org: Organisation) -> Job | None:
    """The purge, when the tracker store's URL is set; None (and a log line) when not."""
    if settings.tracker_db_url is None:
        log.info("router.tracker_purge.off", reason="LOKET_TRACKER_DB_URL not set")
        return None
    url, days = settings.tracker_db_url.get_secret_value(), settings.tracker_retention_days

    def run(context: JobContext) -> dict[str, Any]:
        engine = make_engine(url, TIMEOUTS)  # once a day: no connection kept in between
        try:
            counts = purge_conversations(engine, before=context.now - timedelta(days=days))
        finally:
            engine.dispose()
        log.info("router.tracker_purge.purged", days=days, **counts)
        return {"days": days, **counts}

    return Job("tracker-purge", DailyAt(RUN_AT, org.sla.timezone), run)
