"""`loket worker`'s retention job (AVG): nightly, closed tickets past LOKET_RETENTION_MONTHS
lose their personal data and texts (router/store/retention.py says what, table by table).

A batch of tickets per transaction, until none is left; a run that stops halfway leaves
whole batches done, and the next run goes on from there. One log line per run, counts only.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time
from typing import Any

import structlog
from sqlalchemy import Engine
from sqlmodel import Session

from router.domain.org import Organisation
from router.domain.retention import months_before
from router.settings import WorkerSettings
from router.store import retention
from router.store.engine import writer
from router.worker.runner import Job, JobContext
from router.worker.schedule import DailyAt

log = structlog.get_logger()
RUN_AT = time(3, 0)  # local time, after the nightly retraining (02:00)
BATCH = 200  # tickets per transaction: each statement stays well within its time limit


def anonymise_expired(
    engine: Engine, *, months: int, now: datetime, batch: int = BATCH
) -> dict[str, Any]:
    """Anonymise every ticket closed more than `months` months before `now`, then forget the
    employees and linking codes nothing needs any more; counts of what changed."""
    before = months_before(now, months)
    counts: Counter[str] = Counter()
    while True:
        with Session(writer(engine)) as session:
            ids = retention.due_for_anonymisation(session, closed_before=before, limit=batch)
            counts.update(retention.anonymise_tickets(session, ticket_ids=ids, now=now))
            session.commit()
        if len(ids) < batch:
            break
    while True:
        with Session(writer(engine)) as session:
            forgotten = retention.forget_inactive_employees(session, before=before, limit=batch)
            session.commit()
        counts["employees"] += forgotten
        if forgotten < batch:
            break
    with Session(writer(engine)) as session:
        counts["link_codes"] = retention.prune_link_codes(session, before=before)
        session.commit()
    detail = {"months": months, "closed_before": before.date().isoformat(), **counts}
    log.info("router.retention.anonymised", **detail)
    return detail


def retention_job(settings: WorkerSettings, org: Organisation) -> Job:
    months = settings.retention_months

    def run(context: JobContext) -> dict[str, Any]:
        return anonymise_expired(context.engine, months=months, now=context.now)

    return Job("retention", DailyAt(RUN_AT, org.sla.timezone), run)
