"""The weekly report over a store of 1,000,000 tickets with their audit events.

Fills a fresh PostgreSQL schema and a SQLite file with two years of synthetic tickets
(bulk: COPY on PostgreSQL, executemany on SQLite; about 6.5 events per ticket), analyses
them and (PostgreSQL) vacuums them as a production database's autovacuum would, then times
`build_report` for the last full week: the whole collaboration and one municipality's
version, each first with a cold cache and then again, and the rendering (charts, HTML,
XLSX) apart. Goal: under 10 s per report on this two-core machine. Prints a table.

A cold cache without restarting a shared server: before each first run the store's files
are dropped from the OS page cache (posix_fadvise; on PostgreSQL only when its data
directory is readable from here) and, on PostgreSQL, its pages pushed out of shared buffers
by reading a filler table twice their size; the run then gets a fresh connection.

Usage: .venv/bin/python bench/report_week.py [--tickets 1000000] [--only sqlite|postgresql]
       [--keep]   (keep the store: schema bench_report / var/bench/report.db)
       [--reuse]  (time the kept store again, migrated to the latest schema, not refilled)
"""

from __future__ import annotations

import argparse
import io
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text
from sqlmodel import Session

from router.domain.org import load_organisation
from router.report.files import workbook_bytes
from router.report.period import iso_week
from router.report.queries import build_report
from router.report.render import report_html
from router.store.engine import NO_TIMEOUTS, make_engine
from router.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get(
    "LOKET_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SCHEMA = "bench_report"
END = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # Monday: the report is for 2026-W48
WEEK = "2026-W48"
DAYS = 728  # two years
CHUNK = 50_000
MUNIS = np.array(["DYK", "VHN", "PLW", "HRD"])
DESTS = np.array(["servicedesk", "werkplek", "netwerk", "fb-burgerzaken", "fb-sociaal",
                  "centric", "pinkroccade", "visma-raet", "decos", "mintlab", "xential",
                  "roxit", "kpn", "geo-bi", "privacy", "informatiebeveiliging"])  # fmt: skip
DEST_P = np.array([20, 22, 9, 4, 4, 12, 6, 5, 4, 2, 3, 3, 3, 1, 1, 1], dtype=float)
SUPPLIERS = {"centric", "pinkroccade", "visma-raet", "decos", "mintlab", "xential", "roxit",
             "kpn"}  # fmt: skip
APPS = np.array(["Key2Burgerzaken", "iBurgerzaken", "Youforce", "Microsoft 365", "Printer",
                 "Laptop", "VPN", "Account", "Xential", "Rx.Mission", ""])  # fmt: skip
TYPES = np.array(["incident", "request", "question", "callback", "security_incident",
                  "data_breach"])  # fmt: skip
PRIOS = np.array(["P1", "P2", "P3", "P4"])
BASE_H = np.array([3.0, 8.0, 20.0, 30.0])
TICKET_COLS = ("id, reference, year, number, municipality, reporter_id, type, application, "
               "title, description, impact, urgency, priority, destination, routed_how, "
               "route_confidence, route_alternatives, route_reasons, needs_review, status, "
               "sla_due_at, notify_deadline_at, created_at, updated_at, first_response_at, "
               "resolved_at, closed_at")  # fmt: skip
EVENT_COLS = "id, ticket_id, at, actor, kind, field, old_value, new_value"
CORRECTION_COLS = ("id, ticket_id, municipality, text, from_destination, to_destination, "
                   "from_how, actor, at")  # fmt: skip


def _ts(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def generate(n: int, seed: int = 12) -> Iterator[tuple[list[tuple], list[tuple], list[tuple]]]:
    """Chunks of (ticket rows, event rows, correction rows) as tuples of database values."""
    rng = np.random.default_rng(seed)
    start = END.timestamp() - DAYS * 86400
    end = END.timestamp()
    event_id, correction_id, numbers = 1, 1, {}
    for first in range(0, n, CHUNK):
        size = min(CHUNK, n - first)
        day = rng.integers(0, DAYS, size)
        day = day - (((day + 0) % 7 >= 5) * (day % 7 - 4))  # weekends -> Friday
        created = start + day * 86400 + rng.uniform(7 * 3600, 16 * 3600, size)
        created.sort()
        muni = rng.choice(MUNIS, size, p=[0.36, 0.28, 0.21, 0.15])
        dest = rng.choice(DESTS, size, p=DEST_P / DEST_P.sum())
        prio_i = rng.choice(4, size, p=[0.03, 0.15, 0.55, 0.27])
        kind = rng.choice(TYPES, size, p=[0.6, 0.2, 0.12, 0.05, 0.02, 0.01])
        app = rng.choice(APPS, size)
        hours = BASE_H[prio_i] * rng.lognormal(0, 0.8, size) * 2.2  # calendar-ish hours
        resolved = created + hours * 3600
        wait = rng.random(size) < 0.10
        reopen = rng.random(size) < 0.03
        corrected = rng.random(size) < 0.05
        triage = rng.random(size) < 0.10
        tickets, events, corrections = [], [], []
        for k in range(size):
            tid = first + k + 1
            c = float(created[k])
            year = datetime.fromtimestamp(c, UTC).year
            numbers[year] = number = numbers.get(year, 0) + 1
            d, r = str(dest[k]), float(resolved[k])
            how = "staff" if corrected[k] else ("triage" if triage[k] else "catalogue")
            is_open = r > end
            closed = r + 3 * 86400
            status = "in_progress" if is_open else ("closed" if closed < end else "resolved")
            ts_c = _ts(c)
            ev = [(ts_c, "assistant", "created", None, None, f"M-{year}-{number:06d}"),
                  (ts_c, "assistant", "routed", "destination", None, d),
                  (ts_c, "assistant", "status", "status", "new", "routed")]  # fmt: skip
            last = "routed"
            t = c
            if corrected[k]:
                t = c + 3600
                ev.append((_ts(t), "sd", "reassigned", "destination", "werkplek", d))
                corrections.append((correction_id, tid, str(muni[k]), "tekst", "werkplek", d,
                                    "model", "sd", _ts(t)))  # fmt: skip
                correction_id += 1
            if d in SUPPLIERS:
                t = t + 900
                ev.append((_ts(t), "sd", "status", "status", last, "forwarded"))
                last = "forwarded"
            first_response = min(t + 1800, (c + r) / 2)
            if first_response < end:
                ev.append((_ts(first_response), "sd", "status", "status", last, "in_progress"))
                last = "in_progress"
            if wait[k] and c + 0.6 * (r - c) < end:
                ev.append((_ts(c + 0.4 * (r - c)), "sd", "status", "status", last, "waiting"))
                ev.append((_ts(c + 0.6 * (r - c)), "sd", "status", "status", "waiting",
                           "in_progress"))  # fmt: skip
            if not is_open:
                ev.append((_ts(r), "sd", "status", "status", "in_progress", "resolved"))
                if reopen[k] and r + 86400 + 14400 < end:
                    ev.append((_ts(r + 86400), "mw", "status", "status", "resolved", "reopened"))
                    r = r + 86400 + 14400
                    closed = r + 3 * 86400
                    ev.append((_ts(r), "sd", "status", "status", "reopened", "resolved"))
                if closed < end:
                    ev.append((_ts(closed), "sd", "status", "status", "resolved", "closed"))
            for at, actor, kind_, field, old, new in ev:
                events.append((event_id, tid, at, actor, kind_, field, old, new))
                event_id += 1
            p = str(PRIOS[prio_i[k]])
            tickets.append((
                tid, f"M-{year}-{number:06d}", year, number, str(muni[k]), 1, str(kind[k]),
                str(app[k]) or None, "bench", "bench", "medium", "medium", p, d, how, 0.9,
                "[]", "[]", bool(triage[k] and not corrected[k] and is_open), status,
                _ts(c + BASE_H[prio_i[k]] * 3600 * 1.6),
                _ts(c + 72 * 3600) if kind[k] == "data_breach" else None, ts_c,
                _ts(min(r, end)), _ts(first_response) if first_response < end else None,
                None if is_open else _ts(r), _ts(closed) if closed < end and not is_open else None,
            ))  # fmt: skip
        yield tickets, events, corrections


def _tsv(rows: list[tuple]) -> str:
    out = io.StringIO()
    for row in rows:
        out.write("\t".join("\\N" if v is None else ("t" if v is True else "f" if v is False
                            else str(v)) for v in row))  # fmt: skip
        out.write("\n")
    return out.getvalue()


def _base_rows(connection, dialect: str) -> None:
    connection.execute(text("INSERT INTO employee (id, email, municipality, created_at) VALUES "
                            "(1, 'bench@dijkstede.nl', 'DYK', '2024-01-01 00:00:00')"))  # fmt: skip


def fill_postgres(url: str, n: int) -> None:
    import psycopg

    upgrade(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        _base_rows(connection, "postgresql")
    raw = url.replace("postgresql+psycopg://", "postgresql://").replace(
        "?options=-csearch_path%3D", "?options=-csearch_path%3D"
    )
    with psycopg.connect(raw) as conn, conn.cursor() as cur:
        for tickets, events, corrections in generate(n):
            with cur.copy(f"COPY ticket ({TICKET_COLS}) FROM STDIN") as copy:
                copy.write(_tsv(tickets))
            with cur.copy(f"COPY ticketevent ({EVENT_COLS}) FROM STDIN") as copy:
                copy.write(_tsv(events))
            if corrections:
                with cur.copy(f"COPY routecorrection ({CORRECTION_COLS}) FROM STDIN") as copy:
                    copy.write(_tsv(corrections))
            conn.commit()
        for table in ("ticket", "ticketevent", "routecorrection"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT MAX(id) FROM {table}))")  # fmt: skip
        conn.commit()
        conn.autocommit = True  # VACUUM runs outside a transaction
        cur.execute("VACUUM (ANALYZE) ticket, ticketevent, routecorrection, employee")
    engine.dispose()


def fill_sqlite(path: Path, n: int) -> None:
    import sqlite3

    url = f"sqlite:///{path}"
    upgrade(url)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("INSERT INTO employee (id, email, municipality, created_at) VALUES "
                 "(1, 'bench@dijkstede.nl', 'DYK', '2024-01-01 00:00:00.000000')")  # fmt: skip

    def marks(cols: str) -> str:
        return ", ".join("?" for _ in cols.split(","))

    for tickets, events, corrections in generate(n):
        conn.executemany(f"INSERT INTO ticket ({TICKET_COLS}) VALUES ({marks(TICKET_COLS)})",
                         [tuple(int(v) if isinstance(v, bool) else v for v in t)
                          for t in tickets])  # fmt: skip
        conn.executemany(f"INSERT INTO ticketevent ({EVENT_COLS}) VALUES ({marks(EVENT_COLS)})",
                         events)  # fmt: skip
        conn.executemany(f"INSERT INTO routecorrection ({CORRECTION_COLS}) VALUES "
                         f"({marks(CORRECTION_COLS)})", corrections)  # fmt: skip
        conn.commit()
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()


def _evict_files(paths: list[Path]) -> int:
    """Drop the files' pages from the OS page cache (clean pages only: flushed first)."""
    dropped = 0
    for path in paths:
        if not path.is_file():
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            dropped += 1
        finally:
            os.close(fd)
    return dropped


def cool_sqlite(path: Path) -> str:
    dropped = _evict_files([path, Path(f"{path}-wal")])
    return f"{dropped} files out of the OS page cache"


def cool_postgres(url: str) -> str:
    """Push the schema's pages out of shared buffers (an index scan, unlike a sequential one,
    goes through them), then its files out of the OS page cache if they are reachable."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "CREATE TABLE IF NOT EXISTS bench_filler AS SELECT g AS id, repeat('x', 500) "
                "AS pad FROM generate_series(1, 2 * pg_size_bytes(current_setting("
                "'shared_buffers')) / 540) AS g"))  # fmt: skip
            conn.execute(text("CREATE INDEX IF NOT EXISTS bench_filler_id ON bench_filler (id)"))
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            conn.execute(text("SET LOCAL enable_bitmapscan = off"))
            for _ in range(3):  # pages used often survive a sweep or two of the clock
                conn.execute(text("SELECT count(pad) FROM bench_filler WHERE id > 0"))
            conn.execute(text("CHECKPOINT"))  # dirty pages cannot leave the page cache
            data = Path(conn.execute(text("SHOW data_directory")).scalar_one())
            files = conn.execute(text(
                "SELECT pg_relation_filepath(c.oid) FROM pg_class c JOIN pg_namespace n ON "
                "n.oid = c.relnamespace WHERE n.nspname = current_schema()")).scalars()  # fmt: skip
            # each relation's segments: 184073, 184073.1, ...
            paths = [p for f in files if f for p in (data / f).parent.glob(f"{Path(f).name}*")]
    finally:
        engine.dispose()
    dropped = _evict_files(paths)
    files_out = f"{dropped} files out of the OS page cache" if dropped else "OS cache out of reach"
    return f"shared buffers pushed out, {files_out}"


def time_reports(url: str, label: str) -> list[tuple[str, str, float, str]]:
    org = load_organisation(ROOT / "org" / "de-delta.yaml")
    engine = make_engine(url, NO_TIMEOUTS)  # a report is a job, not a request
    week = iso_week(WEEK, org.sla.timezone)
    results = []
    try:
        with Session(engine) as session:
            tickets = session.execute(text("SELECT COUNT(*) FROM ticket")).scalar_one()
            events = session.execute(text("SELECT COUNT(*) FROM ticketevent")).scalar_one()
        print(f"{label}: {tickets:,} tickets, {events:,} events")
        for municipality in (None, "DYK"):
            for attempt in ("cold", "warm"):
                if attempt == "cold":
                    engine.dispose()  # a fresh connection: no cached plans or catalog
                    cooled = (cool_postgres(url) if label == "postgresql"
                              else cool_sqlite(Path(url.removeprefix("sqlite:///"))))  # fmt: skip
                    print(f"{label}: cold cache for {municipality or 'all'}: {cooled}")
                began = time.perf_counter()
                with Session(engine) as session:
                    report = build_report(session, org, week, municipality=municipality,
                                          now=END)  # fmt: skip
                took = time.perf_counter() - began
                total = report.table("volume").row("Totaal")
                figures = (f"opened {total['Aangemeld']}, resolved {total['Opgelost']}, "
                           f"backlog {total['Werkvoorraad einde']}, median "
                           f"{report.table('trend').rows[-1][3]} h")  # fmt: skip
                results.append((label, f"{municipality or 'all'} ({attempt})", took, figures))
        began = time.perf_counter()
        report_html(report)
        workbook_bytes(report)
        results.append((label, "render HTML+charts+XLSX", time.perf_counter() - began, ""))
    finally:
        engine.dispose()
    return results


def migrate(url: str, label: str) -> None:
    """A kept store to the latest schema (a new index is built over the million tickets)."""
    began = time.perf_counter()
    upgrade(url)
    print(f"{label}: migrated to the latest schema in {time.perf_counter() - began:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="time the kept store, no refill")
    args = parser.parse_args()
    rows = []
    if args.only in (None, "postgresql"):
        admin = create_engine(POSTGRES)
        url = f"{POSTGRES}?options=-csearch_path%3D{SCHEMA}"
        if not args.reuse:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
            began = time.perf_counter()
            fill_postgres(url, args.tickets)
            print(f"postgresql: filled in {time.perf_counter() - began:.0f} s")
        else:
            migrate(url, "postgresql")
        rows += time_reports(url, "postgresql")
        if not args.keep:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))
        admin.dispose()
    if args.only in (None, "sqlite"):
        path = ROOT / "var" / "bench" / "report.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            began = time.perf_counter()
            fill_sqlite(path, args.tickets)
            print(f"sqlite: filled in {time.perf_counter() - began:.0f} s")
        else:
            migrate(f"sqlite:///{path}", "sqlite")
        rows += time_reports(f"sqlite:///{path}", "sqlite")
        if not args.keep:
            path.unlink()
    print(f"\nReport for {WEEK} (goal < 10 s each)")
    print(f"{'database':<11} {'version':<26} {'seconds':>8}  figures")
    for label, what, took, figures in rows:
        print(f"{label:<11} {what:<26} {took:>8.2f}  {figures}")


if __name__ == "__main__":
    main()
