"""The background jobs' shared state: who may run a job now, and how its last run went.

Several `loket worker` processes may run against one PostgreSQL database; each job run is
guarded by a PostgreSQL advisory lock (one per job name, held on its own connection for the
run, released by the database if the process dies). SQLite allows one worker: `worker_guard`
holds a file lock beside the database for the worker's life and refuses a second one.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import Session, select

from router.domain.errors import Conflict
from router.store.tables import JobState

RUNNING, OK, FAILED = "running", "ok", "failed"


class AnotherWorker(Conflict):
    """A second worker on a SQLite database, which allows only one."""


def lock_key(name: str) -> int:
    """A stable signed 64-bit key per job name (PostgreSQL advisory locks take a bigint)."""
    digest = hashlib.sha256(f"loket.job|{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def job_lock(engine: Engine, name: str) -> Iterator[bool]:
    """Yields True when this process may run the job now, False when another one is.

    On SQLite there is only one worker (see `worker_guard`): always True.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = lock_key(name)
    with engine.connect() as connection:
        got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        connection.commit()  # a session-level lock outlives the transaction; hold none open
        try:
            yield got
        finally:
            if got:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                connection.commit()


@contextmanager
def worker_guard(engine: Engine) -> Iterator[None]:
    """For the worker's life: on SQLite, refuse to be the second worker on the same file."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    path = Path(f"{database}.worker-lock")
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AnotherWorker(
                f"another loket worker already runs on {database}; SQLite allows one "
                "(use PostgreSQL for several)"
            ) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def job_state(session: Session, name: str) -> JobState | None:
    return session.get(JobState, name)


def job_states(session: Session) -> list[JobState]:
    return list(session.exec(select(JobState).order_by(JobState.name)).all())


def record_start(session: Session, *, name: str, worker: str, at: datetime) -> None:
    """Mark the job as running; the caller commits (before the work, so others see it)."""
    state = session.get(JobState, name) or JobState(name=name)
    state.last_started_at, state.last_finished_at = at, None
    state.last_outcome, state.last_worker, state.last_error = RUNNING, worker, None
    state.last_detail = {}
    state.runs += 1
    session.add(state)


def record_finish(
    session: Session,
    *,
    name: str,
    at: datetime,
    detail: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    """Record how the run ended: ok with its detail, or failed with the error; caller commits."""
    state = session.get(JobState, name) or JobState(name=name)
    state.last_finished_at = at
    state.last_outcome = FAILED if error is not None else OK
    state.last_detail = detail or {}
    state.last_error = None if error is None else error[:2000]
    state.failures += error is not None
    session.add(state)
