"""Concurrent changes to one ticket: the status check and the write happen under one lock,
so of a withdraw and a resolve sent together exactly one wins (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, text
from sqlmodel import Session

from router.domain.errors import Conflict, Unavailable
from router.domain.vocabulary import Status
from router.store import self_service
from router.store import tickets as store
from router.store.engine import in_transaction, make_engine, writer
from router.store.tables import Employee
from tests.store.test_store import _create

ROUNDS = 10


@pytest.fixture
def slow_reads(engine):
    """Widen the race: every SELECT of a ticket sleeps a little after it ran, so that the
    other thread gets to read the same row before this one writes."""

    def pause(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM ticket" in statement:
            time.sleep(0.05)

    event.listen(engine, "after_cursor_execute", pause)
    yield
    event.remove(engine, "after_cursor_execute", pause)


def _race(engine, *jobs):
    """Run each job in its own thread and session, started together; their outcomes."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = [""] * len(jobs)

    def run(i, job):
        barrier.wait()
        try:
            with Session(writer(engine), expire_on_commit=False) as session:
                job(session)
                session.commit()
            outcomes[i] = "won"
        except Conflict:
            outcomes[i] = "conflict"
        except Exception as exc:  # noqa: BLE001 - any other failure is the bug we look for
            outcomes[i] = f"error: {type(exc).__name__}"

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_withdraw_and_resolve_together_exactly_one_wins(engine, session, org, slow_reads):
    for _ in range(ROUNDS):
        ticket = _create(session, org)
        reporter = store.reporter_of(session, ticket)

        def withdraw(s, reference=ticket.reference, reporter_id=reporter.id):
            employee = s.get(Employee, reporter_id)
            self_service.withdraw(s, employee=employee, reference=reference)

        def resolve(s, reference=ticket.reference):
            store.change_status(s, reference=reference, status=Status.resolved, actor="sd")

        outcomes = _race(engine, withdraw, resolve)
        assert sorted(outcomes) == ["conflict", "won"], outcomes
        session.rollback()  # a fresh snapshot: see what the threads committed
        session.expire_all()
        final = store.get_ticket(session, ticket.reference).status
        winner = "withdrawn" if outcomes[0] == "won" else "resolved"
        assert final == winner
        events = [e for e in store.ticket_events(session, ticket) if e.kind == "status"]
        assert [e.new_value for e in events] == ["routed", winner]  # one change, not two


def test_reassign_and_status_change_together_both_apply(engine, session, org, slow_reads):
    ticket = _create(session, org)

    def reassign(s):
        store.reassign(
            s, reference=ticket.reference, destination="werkplek", actor="a", reason=None, org=org
        )

    def start(s):
        store.change_status(s, reference=ticket.reference, status=Status.in_progress, actor="b")

    assert sorted(_race(engine, reassign, start)) == ["won", "won"]
    session.rollback()  # a fresh snapshot: see what the threads committed
    session.expire_all()
    final = store.get_ticket(session, ticket.reference)
    assert (final.destination, final.status) == ("werkplek", Status.in_progress)


async def test_work_past_its_deadline_is_rolled_back_not_committed(engine, session, org):
    ticket = _create(session, org)

    def resolve(s):
        store.change_status(s, reference=ticket.reference, status=Status.resolved, actor="x")

    with pytest.raises(Unavailable, match="nothing was stored"):
        await in_transaction(engine, resolve, deadline=time.monotonic() - 1)
    session.rollback()  # a fresh snapshot: see what the threads committed
    session.expire_all()
    assert store.get_ticket(session, ticket.reference).status == Status.routed


def test_database_time_limits_stay_below_the_clients_ten_seconds(database_url):
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                assert conn.execute(text("SHOW statement_timeout")).scalar() == "5s"
                assert conn.execute(text("SHOW lock_timeout")).scalar() == "3s"
                # The search_path of the URL's own options is kept.
                assert conn.execute(text("SHOW search_path")).scalar().startswith("t_")
            else:
                assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    finally:
        engine.dispose()
