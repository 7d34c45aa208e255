"""Page and action latency of the staff workspace with 100,000 tickets in the store.

Fills a fresh PostgreSQL schema (or a SQLite file with --sqlite) with 100k tickets and their
audit events, then times every workspace view in-process as a servicedesk member and as a
coordinator. Not a test: it prints a table.
Usage: .venv/bin/python bench/workspace_100k.py [--tickets 100000] [--sqlite] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import create_engine, insert, text
from sqlmodel import Session

from router.app import create_app
from router.domain.org import load_organisation
from router.domain.vocabulary import Role
from router.settings import Settings
from router.store.accounts import create_account
from router.store.engine import make_engine
from router.store.migrate import upgrade
from router.store.tables import Employee, ReferenceCounter, Ticket, TicketEvent

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get(
    "LOKET_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "bench password 123"  # noqa: S105 - an account in a throwaway schema
WORDS = (
    *("printer", "laptop", "outlook", "teams", "vpn", "wifi", "citrix", "paspoort"),
    *("uitkering", "belasting", "salaris", "kaart", "zaak", "sjabloon", "vergunning"),
    *("telefoon", "wachtwoord", "storing", "traag", "foutmelding"),
)
STATUSES = (
    ["routed"] * 10
    + ["in_progress"] * 10
    + ["forwarded"] * 5
    + ["waiting"] * 3
    + (["resolved"] * 20 + ["closed"] * 50 + ["reopened"] * 2)
)
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def fill(url: str, count: int) -> str:
    """Insert `count` tickets with three audit events each; returns one Veenhoven reference."""
    org = load_organisation(ROOT / "org" / "de-delta.yaml")
    rnd = random.Random(7)  # noqa: S311 - test data, not secrets
    destinations = sorted(org.destination_keys())
    munis = [m.key for m in org.municipalities]
    apps = [a.name for a in org.applications]
    now = datetime.now(UTC)
    engine = make_engine(url)
    with Session(engine) as session:
        employees = [
            Employee(
                email=f"e{i}@{org.municipalities[i % 4].email_domain}", municipality=munis[i % 4]
            )
            for i in range(400)
        ]
        session.add_all(employees)
        session.flush()
        employee_ids = [e.id for e in employees]
        for username, role, muni in [
            ("sanne", Role.servicedesk, None),
            ("dirk", Role.coordinator, "DYK"),
        ]:
            create_account(
                session, username=username, password=PASSWORD, role=role, municipality=muni, org=org
            )
        session.add(ReferenceCounter(year=now.year, last_number=count))
        session.commit()
    start = time.perf_counter()
    batch = 5000
    with engine.begin() as conn:
        for first in range(1, count + 1, batch):
            rows = []
            for n in range(first, min(first + batch, count + 1)):
                created = now - timedelta(minutes=rnd.randint(0, 365 * 24 * 60))
                words = " ".join(rnd.choices(WORDS, k=8))
                review = rnd.random() < 0.05
                rows.append(
                    dict(
                        id=n,
                        reference=f"M-{now.year}-{n:06d}",
                        year=now.year,
                        number=n,
                        municipality=munis[n % 4],
                        reporter_id=employee_ids[n % 400],
                        type="incident",
                        application=rnd.choice(apps),
                        title=f"Melding {n}: {words[:60]}",
                        description=f"{words} (volgnummer {n})",
                        conversation="medewerker: help",
                        impact="medium",
                        urgency="medium",
                        priority=rnd.choice(["P1", "P2", "P3", "P4"]),
                        destination="servicedesk" if review else rnd.choice(destinations),
                        routed_how="triage" if review else "catalogue",
                        route_confidence=0.4,
                        route_alternatives=[{"destination": "werkplek", "confidence": 0.4}],
                        route_reasons=["'printer' wijst op werkplek"],
                        needs_review=review,
                        status="routed" if review else rnd.choice(STATUSES),
                        created_at=created,
                        updated_at=created,
                        sla_due_at=created + timedelta(days=3),
                    )
                )
            conn.execute(insert(Ticket), rows)
            events = [
                dict(ticket_id=r["id"], at=r["created_at"], actor="assistant", kind=k, new_value=v)
                for r in rows
                for k, v in (
                    ("created", r["reference"]),
                    ("routed", r["destination"]),
                    ("status", "routed"),
                )
            ]
            conn.execute(insert(TicketEvent), events)
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence('ticket', 'id'), :n)"), {"n": count}
            )
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
    print(f"filled {count} tickets in {time.perf_counter() - start:.1f} s")
    engine.dispose()
    return f"M-{now.year}-{2:06d}"  # n % 4 == 2: Veenhoven


async def measure(url: str, vhn: str, repeat: int) -> None:
    os.environ.setdefault("LOKET_SECRET_KEY", "bench-secret-" + uuid.uuid4().hex + uuid.uuid4().hex)
    os.environ["LOKET_COOKIE_SECURE"] = "false"
    settings = Settings(
        service_token=secrets.token_urlsafe(24),
        database_url=url,
        org_file=ROOT / "org" / "de-delta.yaml",
    )
    dyk = vhn.replace("000002", "000004")
    views = [
        "/staff/triage",
        "/staff/meldingen",
        "/staff/meldingen?status=alle",
        "/staff/meldingen?bestemming=centric",
        "/staff/meldingen?gemeente=VHN",
        "/staff/meldingen?prioriteit=P1&status=alle",
        "/staff/meldingen?status=waiting",
        "/staff/meldingen?ouder_dan=30",
        "/staff/meldingen?sorteer=prioriteit",
        "/staff/meldingen?sorteer=sla&richting=op",
        "/staff/meldingen?sorteer=referentie",
        "/staff/meldingen?status=alle&pagina=1000",
        "/staff/meldingen?q=paspoort+uitkering",
        "/staff/meldingen?q=volgnummer+99999&status=alle",
        f"/staff/meldingen?q={vhn}&status=alle",
        f"/staff/meldingen/{vhn}",
        "/staff/meldingen.csv?status=waiting",
        "/staff/storingen",
    ]
    async with TestClient(TestServer(create_app(settings))) as client:
        for username in ("sanne", "dirk"):
            client.session.cookie_jar.clear()
            page = await client.get("/staff/login")
            token = CSRF.search(await page.text()).group(1)
            resp = await client.post(
                "/staff/login",
                data={"username": username, "password": PASSWORD, "csrf_token": token},
                allow_redirects=False,
            )
            assert resp.status == 303, resp.status
            print(f"\n{username}: median / max of {repeat} (ms)")
            for path in views + ([f"/staff/meldingen/{dyk}"] if username == "dirk" else []):
                timings, status = [], 0
                for _ in range(repeat):
                    start = time.perf_counter()
                    r = await client.get(path)
                    await r.read()
                    status = r.status
                    timings.append((time.perf_counter() - start) * 1000)
                print(f"  {statistics.median(timings):7.1f} {max(timings):7.1f}  {status}  {path}")
            page = await client.get(f"/staff/meldingen/{dyk}")
            token = CSRF.search(await page.text()).group(1)
            start = time.perf_counter()
            r = await client.post(
                f"/staff/meldingen/{dyk}/opmerking",
                data={"tekst": "bench", "csrf_token": token},
                allow_redirects=False,
            )
            print(
                f"  {(time.perf_counter() - start) * 1000:7.1f}          {r.status}  POST comment"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    if args.sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            upgrade(url)
            asyncio.run(measure(url, fill(url, args.tickets), args.repeat))
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        asyncio.run(measure(url, fill(url, args.tickets), args.repeat))
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()
