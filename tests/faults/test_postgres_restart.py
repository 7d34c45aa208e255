"""PostgreSQL stopped and started again under a running `loket serve` with employees filing
tickets, and frozen (answering nothing): during the outage every create is answered 503 with a
JSON error, quickly (frozen: at the request's 8 s deadline); after it creates succeed again
without restarting the service; every acknowledged ticket is in the database, and a create
retried with its Idempotency-Key is one ticket.

The PostgreSQL is the test's own (scripts/test_services.py starts it from the distribution's
binaries on a free port): the shared server on 5432 is never stopped. No binaries: the test
fails and says what to install.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import aiohttp
import pytest
from sqlalchemy import text

from router.store.engine import make_engine
from scripts.test_services import DURABLE_SETTINGS, Unavailable, throwaway_postgres
from tests.faults.service import Service, serve
from tests.fixtures import TEST_TOKEN

CLIENTS = 6
OUTAGE_SECONDS = 4.0
CLIENT_TIMEOUT = 15.0  # past the service's 8 s request deadline: a hang shows as no answer
ANSWER_WITHIN = 10.0  # the assistant gives up on a call after 10 s
RECOVERY_WITHIN = 10.0
FROZEN_SECONDS = 10.0


@dataclass
class Answer:
    key: str
    started: float
    ended: float
    status: int | None  # None: no answer within CLIENT_TIMEOUT, or the connection failed
    body: object


@dataclass
class Load:
    """Employees filing tickets one after another, each with a fresh Idempotency-Key; a create
    that was not acknowledged is sent again with the same key (as the assistant does)."""

    url: str
    answers: list[Answer] = field(default_factory=list)
    running: bool = False

    async def client(self, session: aiohttp.ClientSession, number: int) -> None:
        while self.running:
            key = f"fault-{number}-{uuid.uuid4().hex}"
            # A key once tried is tried until it is acknowledged, even after the load stops.
            while not await self.create(session, key):
                await asyncio.sleep(0.2)

    async def create(self, session: aiohttp.ClientSession, key: str) -> bool:
        body = {
            "reporter": {"channel": "rest", "sender_id": key, "email": "anna@dijkstede.nl"},
            "application": "Youforce", "title": "Youforce geeft een foutmelding",
            "description": f"Bij het openen van mijn loonstrook ({key}).",
        }  # fmt: skip
        headers = {"Authorization": f"Bearer {TEST_TOKEN}", "Idempotency-Key": key}
        started = time.monotonic()
        try:
            async with session.post(self.url + "/api/tickets", json=body, headers=headers) as r:
                raw = await r.read()
                status, answer = r.status, _json(raw)
        except (aiohttp.ClientError, TimeoutError) as exc:
            status, answer = None, type(exc).__name__
        self.answers.append(Answer(key, started, time.monotonic(), status, answer))
        return status is not None and 200 <= status < 300

    def between(self, start: float, end: float) -> list[Answer]:
        return [a for a in self.answers if a.started >= start and a.ended <= end]


def _json(raw: bytes) -> object:
    try:
        return json.loads(raw)
    except ValueError:
        return raw[:300].decode(errors="replace")


async def _until(load: Load, condition, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the service did not recover in time"
        await asyncio.sleep(0.05)
    return time.monotonic()


def _acknowledged_since(load: Load, moment: float) -> bool:
    return any(a.started >= moment and a.status in (200, 201) for a in load.answers)


async def _outage(load: Load, pause, resume, seconds: float = OUTAGE_SECONDS) -> dict:
    """Take the database away for `seconds` under load, bring it back, wait for the first
    acknowledged create; what was answered meanwhile, and how long recovery took."""
    await _until(load, lambda: _acknowledged_since(load, time.monotonic() - 1), 30)
    await asyncio.to_thread(pause)
    down = time.monotonic()
    await asyncio.sleep(seconds)
    # Answered while it was away (a moment after, so that nothing it answered itself counts).
    during = [a for a in load.answers if down + 0.5 <= a.ended <= time.monotonic()]
    await asyncio.to_thread(resume)
    up = time.monotonic()
    recovered = await _until(load, lambda: _acknowledged_since(load, up), RECOVERY_WITHIN)
    await asyncio.sleep(3)  # steady again: everything started a moment after recovery passes
    after = load.between(recovered + 0.5, time.monotonic())
    return {"during": during, "after": after, "recovery": recovered - up}


def _stored(url: str) -> dict[str, list[str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT idempotency_key, reference FROM ticket")).all()
    finally:
        engine.dispose()
    found: dict[str, list[str]] = defaultdict(list)
    for key, reference in rows:
        found[key].append(reference)
    return found


def _check_outage(name: str, outage: dict) -> None:
    during, after = outage["during"], outage["after"]
    assert len(during) >= CLIENTS, f"{name}: {len(during)} answers while it was away (a hang?)"
    assert {a.status for a in during} == {503}, f"{name}: {[(a.status, a.body) for a in during]}"
    assert all(isinstance(a.body, dict) and a.body.get("error") for a in during)
    slowest = max(a.ended - a.started for a in during)
    assert slowest < ANSWER_WITHIN, f"{name}: an answer took {slowest:.1f} s during the outage"
    assert after and all(a.status in (200, 201) for a in after), (
        f"{name}: failures after recovery: {[(a.status, a.body) for a in after if a.status not in (200, 201)]}"
    )


@pytest.fixture
def database():
    try:
        with throwaway_postgres(DURABLE_SETTINGS) as server:
            yield server
    except Unavailable as exc:
        pytest.fail(f"this test starts a PostgreSQL of its own and cannot: {exc}")


async def test_the_service_rides_out_postgresql_restarts_and_loses_nothing(database, tmp_path):
    with serve(database.url, tmp_path) as service:
        workers = service.workers()
        load = Load(service.url)
        timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with _running(load, session):
                # pg_ctl stop (fast shutdown); an immediate shutdown, as a crash; a server
                # that answers nothing, past the service's 8 s request deadline.
                fast = await _outage(load, lambda: database.stop(signal.SIGINT), database.start)
                crash = await _outage(load, lambda: database.stop(signal.SIGQUIT), database.start)
                frozen = await _outage(load, database.freeze, database.thaw, FROZEN_SECONDS)
            # A restart while nobody asks: the pools hold connections to the old server.
            await asyncio.to_thread(database.stop, signal.SIGINT)
            await asyncio.to_thread(database.start)
            quiet = time.monotonic()
            async with _running(load, session):
                await asyncio.sleep(3)
        _check_service(service, workers)
    _check_outage("fast shutdown", fast)
    _check_outage("immediate shutdown", crash)
    _check_outage("frozen", frozen)
    after_quiet = [a for a in load.answers if a.started >= quiet]
    assert after_quiet and {a.status for a in after_quiet} <= {201}, (
        f"failures after a quiet restart: {[(a.status, a.body) for a in after_quiet if a.status != 201]}"
    )
    _check_nothing_lost(load, _stored(database.url))
    print(
        f"{len(load.answers)} creates, {len({a.key for a in load.answers})} tickets; "
        + "; ".join(_summary(name, outage) for name, outage in
                    (("fast", fast), ("crash", crash), ("frozen", frozen)))
    )  # fmt: skip


def _summary(name: str, outage: dict) -> str:
    slowest = max(a.ended - a.started for a in outage["during"])
    return (
        f"{name}: {len(outage['during'])} answered 503, the slowest in {slowest:.3f} s,"
        f" a ticket again {outage['recovery']:.2f} s after"
    )


@contextlib.asynccontextmanager
async def _running(load: Load, session: aiohttp.ClientSession):
    """CLIENTS employees filing tickets until the block ends, then finishing what they began."""
    load.running = True
    clients = [asyncio.create_task(load.client(session, n)) for n in range(CLIENTS)]
    try:
        yield
    finally:
        load.running = False
        await asyncio.wait_for(asyncio.gather(*clients), 120)


def _check_service(service: Service, workers: set[int]) -> None:
    assert service.process.poll() is None, "the service stopped"
    assert service.workers() == workers, "a worker process died and was replaced"
    assert "Traceback" not in service.output(), service.output()[-3000:]


def _check_nothing_lost(load: Load, stored: dict[str, list[str]]) -> None:
    assert all(a.status in (200, 201, 503) for a in load.answers), {
        (a.status, str(a.body)[:100]) for a in load.answers if a.status not in (200, 201, 503)
    }
    references: dict[str, set[str]] = defaultdict(set)
    created: dict[str, int] = defaultdict(int)
    for a in load.answers:
        if a.status in (200, 201):
            assert isinstance(a.body, dict)
            references[a.key].add(a.body["reference"])
            created[a.key] += a.status == 201
    tried = {a.key for a in load.answers}
    assert set(references) == tried  # every create was acknowledged in the end
    assert all(len(refs) == 1 for refs in references.values())  # a retry answers the same ticket
    assert all(count <= 1 for count in created.values())  # and files nothing new
    assert set(stored) == tried and all(len(refs) == 1 for refs in stored.values())
    assert {key: refs[0] for key, refs in stored.items()} == {
        key: refs.pop() for key, refs in references.items()
    }
