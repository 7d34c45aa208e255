"""Ticket numbers stay unique when several service processes create tickets at once."""

from __future__ import annotations

import multiprocessing as mp

from sqlmodel import Session, select

from router.domain.org import load_organisation
from router.domain.vocabulary import TicketType
from router.routing.decision import CatalogueRouter, RouteRequest
from router.store import tickets as store
from router.store.engine import Timeouts, make_engine
from router.store.tables import Ticket
from tests.fixtures import SAMPLE_ORG

PROCESSES = 4
PER_PROCESS = 15
# The numbering is under test here, not the request timeouts (tests/store/test_concurrency.py):
# on a loaded machine a creator may wait long for the write lock, and must not give up.
PATIENT = Timeouts(statement_ms=60_000, lock_ms=60_000, busy_ms=60_000)


def _creator(database_url: str, worker: int, start: mp.Barrier) -> None:
    org = load_organisation(SAMPLE_ORG)
    router = CatalogueRouter(org)
    engine = make_engine(database_url, PATIENT)
    start.wait(timeout=60)  # a sibling that died before the start must not hang the rest
    for i in range(PER_PROCESS):
        data = store.NewTicket(
            municipality="VHN",
            type=TicketType.incident,
            application="Youforce",
            title="Youforce",
            description="salarisstrook niet te zien",
            impact="low",
            urgency="low",
            reporter=store.Reporter(channel="rest", sender_id=f"w{worker}-{i}"),
        )
        route = router.route(
            RouteRequest(text=data.description, municipality="VHN", application="Youforce")
        )
        with Session(engine) as session:
            store.create_ticket(session, data=data, route=route, org=org, actor="test")
            session.commit()
    engine.dispose()


def test_parallel_creators_in_separate_processes_never_share_a_number(database_url, engine):
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    workers = [
        ctx.Process(target=_creator, args=(database_url, w, barrier)) for w in range(PROCESSES)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    with Session(engine) as session:
        references = session.exec(select(Ticket.reference)).all()
    assert len(references) == PROCESSES * PER_PROCESS
    assert len(set(references)) == len(references)
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in references)
    assert numbers == list(range(1, PROCESSES * PER_PROCESS + 1))  # no gaps either
