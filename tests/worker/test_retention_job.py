"""The retention job in `loket worker`: nightly at 03:00 Amsterdam time, one log line of
counts per run (no personal data), its counts recorded with the job's run."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session
from structlog.testing import capture_logs

from router.domain.retention import PLACEHOLDER
from router.domain.route import Route
from router.domain.vocabulary import RoutedHow, Status, TicketType
from router.settings import WorkerSettings
from router.store import jobs as job_store
from router.store import tickets as store
from router.worker.jobs import registered_jobs
from router.worker.runner import Worker
from router.worker.schedule import DailyAt

WORKER_START = datetime(2028, 12, 1, 12, 0, tzinfo=UTC)
NIGHT = datetime(2028, 12, 2, 2, 0, tzinfo=UTC)  # 03:00 in Amsterdam


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _closed_ticket(engine, org, *, created: datetime, closed: datetime) -> str:
    with Session(engine) as session:
        ticket = store.create_ticket(
            session,
            data=store.NewTicket(
                municipality="VHN", type=TicketType.question, title="Vraag van Daan Dekker",
                description="Daan Dekker wil weten hoe het werkt", impact="low", urgency="low",
                reporter=store.Reporter("rest", "d-1", email="daan@veenhoven.nl", name="Daan"),
            ),
            route=Route("servicedesk", RoutedHow.rule, 1.0), org=org, actor="assistant",
            now=created,
        )  # fmt: skip
        store.change_status(session, reference=ticket.reference, status=Status.withdrawn,
                            actor="reporter", now=closed)  # fmt: skip
        session.commit()
        return ticket.reference


def _retention(org, months: int = 24):
    jobs = {job.name: job for job in registered_jobs(WorkerSettings(retention_months=months), org)}
    return jobs["retention"]


def test_the_retention_job_runs_nightly_at_three_amsterdam_time(org):
    assert _retention(org).schedule == DailyAt(time(3, 0), "Europe/Amsterdam")


def test_a_nightly_run_anonymises_and_logs_counts_only(engine, org):
    old = _closed_ticket(engine, org, created=datetime(2026, 10, 1, tzinfo=UTC),
                         closed=datetime(2026, 10, 2, tzinfo=UTC))  # fmt: skip
    recent = _closed_ticket(engine, org, created=datetime(2027, 1, 1, tzinfo=UTC),
                            closed=datetime(2027, 1, 2, tzinfo=UTC))  # fmt: skip
    clock = Clock(WORKER_START)
    worker = Worker(engine, [_retention(org)], clock=clock)
    assert worker.tick() == []  # not before the night
    clock.now = NIGHT
    with capture_logs() as logs:
        assert worker.tick() == ["retention"]
    (line,) = [entry for entry in logs if entry["event"] == "router.retention.anonymised"]
    assert line["tickets"] == 1 and line["closed_before"] == "2026-12-02"
    assert "Daan" not in repr(logs) and "daan@" not in repr(logs)
    with Session(engine) as session:
        state = job_store.job_state(session, "retention")
        assert state is not None and state.last_outcome == "ok"
        assert state.last_detail["tickets"] == 1 and state.last_detail["months"] == 24
        assert store.get_ticket(session, old).title == PLACEHOLDER
        assert store.get_ticket(session, recent).title == "Vraag van Daan Dekker"
    clock.now += timedelta(hours=1)
    assert worker.tick() == []  # once a night
    clock.now = NIGHT + timedelta(days=1)
    assert worker.tick() == ["retention"]
    with Session(engine) as session:
        state = job_store.job_state(session, "retention")
        assert state is not None and state.last_detail["tickets"] == 0


def test_the_setting_decides_the_period(engine, org):
    ticket = _closed_ticket(engine, org, created=datetime(2027, 10, 1, tzinfo=UTC),
                            closed=datetime(2027, 11, 1, tzinfo=UTC))  # 13 months  # fmt: skip
    clock = Clock(WORKER_START)
    worker = Worker(engine, [_retention(org, months=12)], clock=clock)
    clock.now = NIGHT
    assert worker.tick() == ["retention"]
    with Session(engine) as session:
        assert store.get_ticket(session, ticket).title == PLACEHOLDER
