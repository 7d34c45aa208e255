"""The weekly report is one of the worker's jobs and goes out once, on Monday morning."""

from __future__ import annotations

from datetime import UTC, datetime, time

from router.domain.org import load_organisation
from router.settings import WorkerSettings
from router.worker.jobs import registered_jobs
from router.worker.schedule import WeeklyAt
from tests.fixtures import ROOT

MONDAY_0700 = WeeklyAt(0, time(7, 0), "Europe/Amsterdam")
STARTED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday


def test_due_monday_morning_amsterdam_time_and_not_before():
    sunday_evening = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    monday_0601_utc = datetime(2026, 11, 30, 6, 1, tzinfo=UTC)  # 07:01 in Amsterdam
    assert not MONDAY_0700.due(None, sunday_evening, STARTED)
    assert MONDAY_0700.due(None, monday_0601_utc, STARTED)


def test_once_a_week_then_not_again_until_the_next_monday():
    ran = datetime(2026, 11, 30, 6, 1, tzinfo=UTC)
    assert not MONDAY_0700.due(ran, datetime(2026, 12, 4, 9, 0, tzinfo=UTC), STARTED)
    assert MONDAY_0700.due(ran, datetime(2026, 12, 7, 6, 30, tzinfo=UTC), STARTED)


def test_the_worker_runs_the_weekly_report_on_the_configured_day(monkeypatch):
    monkeypatch.setenv("LOKET_REPORT_SCHEDULE", "TUE 08:30")
    org = load_organisation(ROOT / "org" / "de-delta.yaml")
    jobs = {job.name: job for job in registered_jobs(WorkerSettings(), org)}
    schedule = jobs["weekly-report"].schedule
    assert schedule == WeeklyAt(1, time(8, 30), "Europe/Amsterdam")
