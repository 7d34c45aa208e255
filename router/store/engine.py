"""Database engine: SQLite by default, PostgreSQL when DATABASE_URL says so.

Time limits, so that a failed request means nothing was stored. The assistant's action
server gives up on a call after 10 s (actions/router_client.py) and then tells the employee
the ticket was not filed yet; a retry carries the same Idempotency-Key. So the service must
have either committed or given up well before 10 s:

- PostgreSQL: statement_timeout 5 s and lock_timeout 3 s per statement (connect options);
- SQLite: busy timeout 5 s to get the write lock;
- in_transaction(deadline=...): the API gives each request a deadline 8 s after it arrived
  (router/api/tickets.py, REQUEST_DEADLINE_SECONDS); work that is not done by then is
  rolled back instead of committed and answered 503, leaving 2 s for the answer to travel.
  The answer does not wait for a database that does not answer at all (a frozen server, a
  host gone from the network: no timeout of the server's own fires): at the deadline the
  request is answered 503 while its thread waits on, and rolls back when it gets an answer
  (only a commit already under way may still land; a retry with its Idempotency-Key finds it).

Write transactions on SQLite begin IMMEDIATE: they take the write lock before their first
read, so a status check and the write after it see the same row (PostgreSQL locks the row
with SELECT ... FOR UPDATE instead, see store/tickets.get_ticket).

Database errors never carry row values into logs: hide_parameters=True keeps bound values
out of SQLAlchemy's messages (the API also logs only the error's class, router/api/errors.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, event, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, create_engine

from router.domain.errors import Unavailable

T = TypeVar("T")


@dataclass(frozen=True)
class Timeouts:
    statement_ms: int = 5_000  # PostgreSQL: longest single statement
    lock_ms: int = 3_000  # PostgreSQL: longest wait for a row or table lock
    busy_ms: int = 5_000  # SQLite: longest wait for the database's write lock


REQUEST_TIMEOUTS = Timeouts()
# Migrations may rewrite big tables; they run from the command line, not behind a client.
NO_TIMEOUTS = Timeouts(statement_ms=0, lock_ms=0, busy_ms=60_000)

TOO_LATE = "the database took too long; nothing was stored, try again"

# Execution option of the engine in_transaction(write=True) uses: BEGIN IMMEDIATE on SQLite.
_WRITE = "loket_write"


def normalise_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, timeouts: Timeouts = REQUEST_TIMEOUTS) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": timeouts.busy_ms / 1000},
            hide_parameters=True,
        )
        busy_ms = timeouts.busy_ms

        def pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            _sqlite_pragmas(dbapi_connection, busy_ms)

        event.listen(engine, "connect", pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    parsed = make_url(url)
    given = parsed.query.get("options", "")
    options = " ".join(
        part
        for part in (
            given if isinstance(given, str) else " ".join(given),
            f"-c statement_timeout={timeouts.statement_ms}",
            f"-c lock_timeout={timeouts.lock_ms}",
        )
        if part
    )
    return create_engine(
        parsed.update_query_dict({"options": options}),
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        hide_parameters=True,
    )


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, busy_ms: int) -> None:
    # The driver's own implicit BEGIN is off; the "begin" event below issues ours.
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def writer(engine: Engine) -> Engine:
    """The engine for a write transaction: on SQLite it takes the write lock at BEGIN."""
    return engine.execution_options(**{_WRITE: True})


async def in_transaction(
    engine: Engine,
    work: Callable[[Session], T],
    *,
    write: bool = True,
    deadline: float | None = None,
) -> T:
    """Run blocking store work off the event loop, in one transaction committed on success.

    `write=False` for read-only work (no write lock on SQLite). With a `deadline`
    (time.monotonic()), work not done by then is rolled back and Unavailable raised.
    """

    def run() -> T:
        with Session(writer(engine) if write else engine, expire_on_commit=False) as session:
            result = work(session)
            if deadline is not None and time.monotonic() > deadline:
                session.rollback()
                raise Unavailable(TOO_LATE)
            session.commit()
            return result

    if deadline is None:
        return await asyncio.to_thread(run)
    try:
        return await asyncio.wait_for(asyncio.to_thread(run), deadline - time.monotonic())
    except TimeoutError:
        raise Unavailable(TOO_LATE) from None
