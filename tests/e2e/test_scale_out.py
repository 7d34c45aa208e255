"""Two of everything on one PostgreSQL and one Redis (issue 17): two router services, two
action servers, two Rasa servers sharing conversations through the masked SQL tracker store
and the Redis lock store (bot/endpoints.shared.yml), with a round-robin balancer in front that
sends each conversation's turns to the two Rasa servers in turn."""

from __future__ import annotations

import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from router.store.engine import make_engine
from router.store.migrate import upgrade
from router.store.tables import Ticket
from tests.e2e.round_robin import RoundRobin
from tests.e2e.stack import Stack, say_to

REFERENCE = re.compile(r"M-\d{4}-\d{6}")
POSTGRES = os.environ.get("LOKET_TEST_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")  # fmt: skip
REDIS = os.environ.get("LOKET_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BSN = "123456782"
# (first message, answers): whole incident reports, each about another application.
REPORTS = [
    (f"Key2Burgerzaken loopt vast bij het opslaan van een verhuizing, bsn {BSN}",
     ["alleen ik", "het kan wachten", "ja"]),
    ("Youforce laat mijn rooster niet zien", ["alleen ik", "het kan wachten", "ja"]),
    ("de printer op de tweede verdieping doet het niet", ["alleen ik", "het kan wachten", "ja"]),
    ("Suite4Sociaal Domein geeft een foutmelding bij het openen van een dossier",
     ["alleen ik", "het kan wachten", "ja"]),
    ("mijn laptop start niet meer op", ["alleen ik", "het kan wachten", "ja"]),
    ("Outlook synchroniseert mijn agenda niet", ["alleen ik", "het kan wachten", "ja"]),
]  # fmt: skip


def _schema_url(base: str, schema: str) -> str:
    return f"{base}?options=-csearch_path%3D{schema}"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """Both stacks, the balancer, and the URLs of the two databases (dropped afterwards)."""
    store_schema, tracker_schema = (f"t_{uuid.uuid4().hex[:12]}" for _ in range(2))
    admin = create_engine(POSTGRES)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {store_schema}"))
        conn.execute(text(f"CREATE SCHEMA {tracker_schema}"))
    database_url = _schema_url(POSTGRES, store_schema)
    upgrade(database_url)
    plain = urlunsplit(urlsplit(POSTGRES)._replace(scheme="postgresql"))  # Rasa's psycopg2
    rasa_env = {"LOKET_TRACKER_DB_URL": _schema_url(plain, tracker_schema),
                "LOKET_REDIS_URL": REDIS}  # fmt: skip
    stacks = [
        Stack(workdir=tmp_path_factory.mktemp(f"node{n}"), database_url=database_url,
              endpoints="bot/endpoints.shared.yml", extra_env={"rasa": rasa_env})
        for n in (1, 2)
    ]  # fmt: skip
    balancer = None
    try:
        for node in stacks:
            node.launch()
        for node in stacks:
            node.wait_ready(360)
        balancer = RoundRobin([f"http://127.0.0.1:{node.ports['rasa']}" for node in stacks])
        balancer.start()
        yield stacks, balancer, database_url, _schema_url(POSTGRES, tracker_schema)
    except RuntimeError:
        for node in stacks:
            print(f"--- rasa {node.workdir} ---\n{node.log('rasa')}")
        raise
    finally:
        if balancer:
            balancer.stop()
        for node in stacks:
            node.stop()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {store_schema} CASCADE"))
            conn.execute(text(f"DROP SCHEMA {tracker_schema} CASCADE"))
        admin.dispose()


def _say(balancer: RoundRobin, sender: str, message: str, email: str) -> str:
    return say_to(balancer.webhook, sender, message, email)


def _report(balancer: RoundRobin, n: int) -> tuple[str, str, str]:
    """One employee's whole report through the balancer: (sender, summary, last answer)."""
    sender, email = f"scale-{n}-{uuid.uuid4().hex[:6]}", f"medewerker{n}@dijkstede.nl"
    first, answers = REPORTS[n]
    said = [_say(balancer, sender, first, email)]
    said += [_say(balancer, sender, answer, email) for answer in answers]
    return sender, said[-2], said[-1]


def _tickets(database_url: str) -> list[Ticket]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(Ticket)).all())
    finally:
        engine.dispose()


def test_concurrent_conversations_alternate_between_servers_and_lose_nothing(shared):
    stacks, balancer, database_url, tracker_url = shared
    with ThreadPoolExecutor(len(REPORTS)) as pool:
        results = list(pool.map(lambda n: _report(balancer, n), range(len(REPORTS))))
    references = []
    for sender, summary, last in results:
        assert "Klopt dit?" in summary, summary  # every answer was remembered across servers
        found = REFERENCE.search(last)
        assert found, last
        references.append(found.group())
        assert {b for s, b in balancer.served if s == sender} == set(balancer.backends)
    assert len(set(references)) == len(REPORTS)  # no reference twice
    tickets = _tickets(database_url)
    assert sorted(t.reference for t in tickets) == sorted(references)  # none twice, none lost
    engine = create_engine(tracker_url)
    with engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text("SELECT data FROM events"))]
    engine.dispose()
    assert rows and any("[BSN]" in row for row in rows)
    assert not any(BSN in row for row in rows)  # masked at rest


def test_a_server_killed_mid_conversation_the_other_goes_on_where_it_was(shared):
    stacks, balancer, database_url, _ = shared
    before = len(_tickets(database_url))
    sender, email = f"scale-kill-{uuid.uuid4().hex[:6]}", "kees@veenhoven.nl"
    asked = _say(balancer, sender, "Youforce laat mijn salarisstrook niet zien", email)
    assert "Hoeveel mensen" in asked, asked
    stacks[0].processes["rasa"].kill()  # no goodbye: as a crashed machine
    stacks[0].processes["rasa"].wait()
    _say(balancer, sender, "alleen ik", email)
    summary = _say(balancer, sender, "het kan wachten", email)
    assert "Klopt dit?" in summary and "salarisstrook" in summary, summary
    last = _say(balancer, sender, "ja", email)
    assert REFERENCE.search(last), last
    assert len(_tickets(database_url)) == before + 1
    assert balancer.served[-1][1] == balancer.backends[1]
