"""`loket worker`'s regie jobs: the SLA check and the privacy officer's reminders.

Both are idempotent: a ticket is marked once per SLA state, and each FG reminder has its own
outbox key, so a second run (or a second worker after the lock) changes nothing. Each ticket
is handled in its own transaction: a failure on one leaves the others done.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from router.domain.org import Organisation
from router.store import breaches, sla_watch
from router.store.engine import writer
from router.worker.runner import Job, JobContext
from router.worker.schedule import Every

CHECK_EVERY_SECONDS = 120  # the shortest at-risk window (KPN's P1 response) is minutes long


def _each(
    engine: Engine, references: list[str], work: Callable[[Session, str], str | None]
) -> dict[str, int]:
    counts: dict[str, int] = {}
    for reference in references:
        with Session(writer(engine)) as session:
            outcome = work(session, reference)
            session.commit()
        if outcome is not None:
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def check_sla(engine: Engine, org: Organisation, now: datetime) -> dict[str, Any]:
    """Mark every open ticket whose clock reached at risk or breached; counts per state."""
    with Session(engine) as session:
        references = sla_watch.candidates(session)
    marked = _each(
        engine,
        references,
        lambda s, ref: sla_watch.mark_if_due(s, reference=ref, org=org, now=now),
    )
    return {"checked": len(references), **marked}


def remind_privacy_officer(engine: Engine, org: Organisation, now: datetime) -> dict[str, Any]:
    """Write the FG reminders and escalations that are due; counts per stage."""
    with Session(engine) as session:
        references = breaches.undecided(session)
    sent = _each(
        engine,
        references,
        lambda s, ref: breaches.remind(s, reference=ref, org=org, now=now),
    )
    return {"undecided": len(references), **sent}


def sla_check_job(org: Organisation) -> Job:
    def run(context: JobContext) -> dict[str, Any]:
        return check_sla(context.engine, org, context.now)

    return Job("sla-check", Every(CHECK_EVERY_SECONDS), run)


def privacy_reminders_job(org: Organisation) -> Job:
    def run(context: JobContext) -> dict[str, Any]:
        return remind_privacy_officer(context.engine, org, context.now)

    return Job("privacy-reminders", Every(CHECK_EVERY_SECONDS), run)
