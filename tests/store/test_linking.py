"""Linking codes and handled updates in the store (SQLite and PostgreSQL): expiry, single
use, blocks, the newest code only, and one update taken once even when racing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from router.store import linking
from router.store.engine import writer

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
ACCOUNT = {"channel": "telegram", "sender_id": "7001"}


def _code(session, now=T0, email="anna@dijkstede.nl"):
    asked = linking.request_code(session, **ACCOUNT, email=email, now=now)
    session.commit()
    return asked.code


def test_a_code_expires_after_ten_minutes(session):
    code = _code(session)
    late = linking.confirm_code(session, **ACCOUNT, code=code, municipality="DYK",
                                now=T0 + timedelta(minutes=10, seconds=1))  # fmt: skip
    assert late.result == "no_code"


def test_a_code_links_once_and_the_employee_is_found_again(session):
    code = _code(session)
    done = linking.confirm_code(session, **ACCOUNT, code=code, municipality="DYK",
                                now=T0 + timedelta(minutes=1))  # fmt: skip
    session.commit()
    assert done.result == "linked" and done.employee.email == "anna@dijkstede.nl"
    assert linking.linked_employee(session, **ACCOUNT).id == done.employee.id
    again = linking.confirm_code(session, **ACCOUNT, code=code, municipality="DYK",
                                 now=T0 + timedelta(minutes=2))  # fmt: skip
    assert again.result == "no_code"


def test_a_block_ends_after_a_quarter_of_an_hour(session):
    _code(session)
    for _ in range(3):
        out = linking.confirm_code(session, **ACCOUNT, code="not-it", municipality="DYK",
                                   now=T0 + timedelta(minutes=1))  # fmt: skip
        session.commit()
    assert out.result == "blocked"
    still = linking.request_code(session, **ACCOUNT, email="anna@dijkstede.nl",
                                 now=T0 + timedelta(minutes=15))  # fmt: skip
    assert still.result == "blocked"
    later = linking.request_code(session, **ACCOUNT, email="anna@dijkstede.nl",
                                 now=T0 + timedelta(minutes=17))  # fmt: skip
    assert later.result == "sent"


def test_limits_count_the_last_hour_only(session):
    for minute in (0, 1, 2):
        assert _code(session, now=T0 + timedelta(minutes=minute))
    assert (
        linking.request_code(
            session, **ACCOUNT, email="anna@dijkstede.nl", now=T0 + timedelta(minutes=30)
        ).result
        == "rate_limited"
    )
    assert (
        linking.request_code(
            session, **ACCOUNT, email="anna@dijkstede.nl", now=T0 + timedelta(minutes=61)
        ).result
        == "sent"
    )


def test_one_update_is_taken_once_by_racing_processes(engine):
    taken: list[bool] = []
    barrier = threading.Barrier(4)

    def take():
        barrier.wait()
        with Session(writer(engine)) as session:
            taken.append(linking.claim_update(session, channel="telegram", update_id="77", now=T0))
            session.commit()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(taken) == [False, False, False, True]
    with Session(writer(engine)) as session:
        assert linking.prune_updates(session, before=T0 + timedelta(days=8)) == 1
        session.commit()
