"""The worker's loop: a registry of jobs, each run at most once per due moment across workers.

A job is a name, a schedule and a function. The loop asks the clock for the time (tests pass
their own clock), and for each due job takes the job's lock (`store.jobs.job_lock`), reads
the job's last run again under the lock (another worker may just have run it), records the
start, runs the function and records how it ended. One JSON log line per event:
`router.worker.job.started`, `.finished`, `.failed`.
"""

from __future__ import annotations

import os
import socket
import threading
import time as clock_time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import Engine
from sqlmodel import Session

from router.store import jobs as job_store
from router.store.tables import JobState
from router.worker.schedule import Schedule

log = structlog.get_logger()

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class JobContext:
    """What a job gets: the store, the time it was started for, and its last run."""

    engine: Engine
    now: datetime
    last: JobState | None


JobFunction = Callable[[JobContext], dict[str, Any] | None]
# An extra reason to run between scheduled times (e.g. enough new corrections); checked on
# every tick, so it must be cheap (one COUNT).
DueCheck = Callable[[JobContext], bool]


@dataclass(frozen=True)
class Job:
    name: str
    schedule: Schedule
    run: JobFunction
    also_due: DueCheck | None = None


@dataclass
class Worker:
    engine: Engine
    jobs: list[Job]
    clock: Clock = field(default=lambda: datetime.now(UTC))
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    def __post_init__(self) -> None:
        self.started = self.clock()
        names = [job.name for job in self.jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be unique: {names}")

    def tick(self) -> list[str]:
        """Run every job that is due now; returns the names of the jobs this worker ran."""
        ran = []
        for job in self.jobs:
            if self._run_if_due(job):
                ran.append(job.name)
        return ran

    def _due(self, job: Job, now: datetime) -> JobState | None | bool:
        """False when not due; else the job's last state (None if it never ran)."""
        with Session(self.engine, expire_on_commit=False) as session:
            last = job_store.job_state(session, job.name)
            started = last.last_started_at if last else None
            if job.schedule.due(started, now, self.started):
                return last
            if job.also_due is not None and job.also_due(JobContext(self.engine, now, last)):
                return last
        return False

    def _run_if_due(self, job: Job) -> bool:
        now = self.clock()
        if self._due(job, now) is False:
            return False
        with job_store.job_lock(self.engine, job.name) as mine:
            if not mine:
                return False  # another worker runs it right now
            last = self._due(job, now)  # again under the lock: it may just have run
            if last is False:
                return False
            self._run(job, now, last if isinstance(last, JobState) else None)
        return True

    def _run(self, job: Job, now: datetime, last: JobState | None) -> None:
        with Session(self.engine) as session:
            job_store.record_start(session, name=job.name, worker=self.name, at=now)
            session.commit()
        log.info("router.worker.job.started", job=job.name, worker=self.name)
        started = clock_time.perf_counter()
        detail: dict[str, Any] | None = None
        error: str | None = None
        try:
            detail = job.run(JobContext(self.engine, now, last))
        except Exception as exc:  # noqa: BLE001 - a failing job is recorded; the worker goes on
            error = f"{type(exc).__name__}: {exc}"
            log.exception("router.worker.job.failed", job=job.name, worker=self.name)
        seconds = round(clock_time.perf_counter() - started, 3)
        with Session(self.engine) as session:
            job_store.record_finish(
                session, name=job.name, at=self.clock(), detail=detail, error=error
            )
            session.commit()
        if error is None:
            log.info("router.worker.job.finished", job=job.name, seconds=seconds, detail=detail)

    def run_forever(self, stop: threading.Event, poll_seconds: float = 15.0) -> None:
        """Tick until `stop` is set (SIGINT/SIGTERM); a running job finishes first."""
        log.info(
            "router.worker.started",
            worker=self.name,
            jobs={job.name: job.schedule.describe() for job in self.jobs},
        )
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - e.g. the database away for a moment: try again
                log.exception("router.worker.tick_failed", worker=self.name)
            stop.wait(poll_seconds)
        log.info("router.worker.stopped", worker=self.name)
