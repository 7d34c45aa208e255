"""`loket worker`: jobs run when due, once across workers, and every run is recorded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session

from router.store import jobs as job_store
from router.store.engine import make_engine
from router.worker.runner import Job, Worker
from router.worker.schedule import DailyAt, Every, parse_daily
from tests.fixtures import ROOT

T0 = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def test_every_runs_at_once_then_after_its_interval():
    every = Every(60)
    assert every.due(None, T0, T0)
    assert not every.due(T0, T0 + timedelta(seconds=59), T0)
    assert every.due(T0, T0 + timedelta(seconds=60), T0)


def test_daily_runs_at_the_local_time_in_amsterdam_once_per_day():
    nightly = DailyAt(time(2, 0), "Europe/Amsterdam")
    started = datetime(2026, 1, 13, 20, 0, tzinfo=UTC)
    # 02:00 in Amsterdam in January is 01:00 UTC; in July it is 00:00 UTC.
    assert not nightly.due(None, datetime(2026, 1, 14, 0, 59, tzinfo=UTC), started)
    assert nightly.due(None, datetime(2026, 1, 14, 1, 0, tzinfo=UTC), started)
    ran = datetime(2026, 1, 14, 1, 0, 5, tzinfo=UTC)
    assert not nightly.due(ran, datetime(2026, 1, 14, 23, 0, tzinfo=UTC), started)
    assert nightly.due(ran, datetime(2026, 1, 15, 1, 0, tzinfo=UTC), started)
    july = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)
    assert nightly.last_slot(july) == july


def test_daily_catches_up_a_missed_night_but_not_nights_before_the_first_start():
    nightly = DailyAt(time(2, 0), "Europe/Amsterdam")
    first_start = datetime(2026, 1, 14, 9, 0, tzinfo=UTC)
    assert not nightly.due(None, first_start, first_start)  # no retraining on installation
    last_run = datetime(2026, 1, 12, 1, 0, tzinfo=UTC)
    assert nightly.due(last_run, first_start, first_start)  # worker was down last night


def test_the_missing_hour_when_clocks_spring_forward():
    nightly = DailyAt(time(2, 30), "Europe/Amsterdam")
    # 29 March 2026: 02:00 -> 03:00. The slot still comes, once, at 01:30 UTC.
    slot = nightly.last_slot(datetime(2026, 3, 29, 12, 0, tzinfo=UTC))
    assert slot.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_a_bad_time_of_day_is_named():
    with pytest.raises(ValueError, match="'25:00' is not a time of day"):
        parse_daily("25:00", "Europe/Amsterdam")


def test_a_due_job_runs_and_its_run_is_recorded(engine):
    calls = []
    clock = FakeClock(T0)
    job = Job("tellen", Every(300), lambda ctx: calls.append(ctx.now) or {"counted": 3})
    worker = Worker(engine, [job], clock=clock, name="host-a:1")
    assert worker.tick() == ["tellen"]
    clock.advance(seconds=299)
    assert worker.tick() == []
    # A restarted worker knows the last run from the store, not from its memory.
    assert Worker(engine, [job], clock=clock, name="host-a:2").tick() == []
    clock.advance(seconds=1)
    assert worker.tick() == ["tellen"]
    assert calls == [T0, T0 + timedelta(seconds=300)]
    with Session(engine) as session:
        state = job_store.job_state(session, "tellen")
    assert state.runs == 2 and state.failures == 0
    assert state.last_outcome == "ok" and state.last_detail == {"counted": 3}
    assert state.last_worker == "host-a:1" and state.last_finished_at == clock.now


def test_a_failing_job_is_recorded_and_the_others_still_run(engine, caplog):
    def broken(_ctx):
        raise RuntimeError("leverancier onbereikbaar")

    ran = []
    jobs = [Job("stuk", Every(60), broken), Job("heel", Every(60), lambda ctx: ran.append(1))]
    Worker(engine, jobs, clock=FakeClock(T0)).tick()
    assert ran == [1]
    with Session(engine) as session:
        state = job_store.job_state(session, "stuk")
    assert state.last_outcome == "failed" and state.failures == 1
    assert state.last_error == "RuntimeError: leverancier onbereikbaar"


def test_an_extra_reason_runs_a_job_between_its_scheduled_times(engine):
    wanted = []
    ran = []
    job = Job(
        "hertrainen", Every(86400), lambda ctx: ran.append(1), also_due=lambda c: bool(wanted)
    )
    clock = FakeClock(T0)
    worker = Worker(engine, [job], clock=clock)
    worker.tick()
    clock.advance(seconds=60)
    worker.tick()
    wanted.append(True)
    worker.tick()
    assert len(ran) == 2


def test_job_names_are_unique(engine):
    job = Job("dubbel", Every(1), lambda ctx: None)
    with pytest.raises(ValueError, match="unique"):
        Worker(engine, [job, job])


def test_two_workers_competing_run_a_job_once(database_url):
    """Two workers (own connections) tick at the same moment: the job runs once.

    On PostgreSQL the job's advisory lock decides; SQLite allows one worker per database,
    and a second one is refused at start.
    """
    first, second = make_engine(database_url), make_engine(database_url)
    try:
        if first.dialect.name == "sqlite":
            refused = pytest.raises(job_store.AnotherWorker, match="SQLite allows one")
            with job_store.worker_guard(first), refused, job_store.worker_guard(second):
                pass
            return
        inside, let_go = threading.Event(), threading.Event()
        runs = []

        def slow(_ctx):
            runs.append(1)
            inside.set()
            assert let_go.wait(10)

        clock = FakeClock(T0)
        a = Worker(first, [Job("eenmaal", Every(600), slow)], clock=clock, name="a:1")
        b = Worker(second, [Job("eenmaal", Every(600), slow)], clock=clock, name="b:1")
        thread = threading.Thread(target=a.tick)
        thread.start()
        assert inside.wait(10)
        assert b.tick() == []  # the lock is held by a's run
        let_go.set()
        thread.join(10)
        assert b.tick() == []  # and once a is done, the job is no longer due
        assert runs == [1]
        with Session(first) as session:
            assert job_store.job_state(session, "eenmaal").runs == 1
    finally:
        first.dispose()
        second.dispose()


def test_loket_worker_stops_cleanly_on_sigterm(database_url, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LOKET_MODEL_DIR": str(tmp_path / "models"),
        "LOKET_WORKER_POLL_SECONDS": "0.2",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "router.cli", "worker"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    for line in process.stderr:
        lines.append(line)
        if "router.worker.started" in line:
            break
    process.send_signal(signal.SIGTERM)
    _out, rest = process.communicate(timeout=60)
    assert process.returncode == 0, rest
    assert '"event": "router.worker.stopped"' in rest
    assert '"retrain": "daily at 02:00 Europe/Amsterdam"' in "".join(lines)
