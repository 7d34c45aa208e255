"""`loket report` (the weekly report into a folder) and `loket demo seed` (a synthetic
history for the sample organisation)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from pydantic import ValidationError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from router.domain.org import Organisation

demo_app = typer.Typer(
    help="Demo data for a first look (never in production).", no_args_is_help=True
)


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(2)


def _org_and_engine(migrate: bool = False) -> tuple[Organisation, Engine]:
    from router.domain.org import OrgFileError, load_organisation
    from router.settings import RouterSettings
    from router.store.engine import NO_TIMEOUTS, make_engine

    try:
        settings = RouterSettings()
        org = load_organisation(settings.org_file)
    except ValidationError as exc:
        _fail(f"Invalid settings (environment variables): {exc.errors()[0]['msg']}")
    except OrgFileError as exc:
        _fail(str(exc))
    if migrate:
        from router.store.migrate import upgrade

        upgrade(settings.database_url)  # a fresh database gets its schema first
    # No per-statement limit: a report over a large store is not a request with a client
    # waiting for its 10 seconds.
    return org, make_engine(settings.database_url, NO_TIMEOUTS)


def report(
    out: Path = typer.Option(..., help="Folder for rapportage.html, rapportage.xlsx and the CSVs"),
    week: str = typer.Option(None, help="ISO week, e.g. 2026-W47 (default: last week)"),
    from_: datetime = typer.Option(None, "--from", formats=["%Y-%m-%d"], help="First day"),
    to: datetime = typer.Option(None, "--to", formats=["%Y-%m-%d"], help="Last day (included)"),
    municipality: str = typer.Option(None, help="Only this municipality's figures (e.g. DYK)"),
) -> None:
    """Write the report for an ISO week or a range of dates (Europe/Amsterdam) into OUT."""
    from sqlmodel import Session

    from router.domain.errors import InvalidInput
    from router.report.files import write_report
    from router.report.period import date_range, iso_week, last_full_week
    from router.report.queries import build_report

    if week and (from_ or to):
        _fail("Give --week or --from/--to, not both.")
    if bool(from_) != bool(to):
        _fail("--from and --to go together.")
    org, engine = _org_and_engine()
    tz, now = org.sla.timezone, datetime.now(UTC)
    try:
        if week:
            period = iso_week(week, tz)
        elif from_ and to:
            period = date_range(from_.date(), to.date(), tz)
        else:
            period = last_full_week(now, tz)
        with Session(engine) as session:
            result = build_report(session, org, period, municipality=municipality, now=now)
    except InvalidInput as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    files = write_report(result, out)
    typer.echo(f"{result.title}: {len(files)} bestanden in {out}")


@demo_app.command("seed")
def seed(
    weeks: int = typer.Option(12, min=1, max=104, help="Weeks of history, up to last Sunday"),
    until: datetime = typer.Option(
        None, formats=["%Y-%m-%d"], help="Last day of the history instead (e.g. 2026-05-03)"
    ),
    yes: bool = typer.Option(False, "--yes", help="Also when the store already holds tickets"),
) -> None:
    """Fill the store with a synthetic, clearly marked history of the sample organisation."""
    from sqlalchemy import func, select
    from sqlmodel import Session

    from router.report.demo import seed_demo
    from router.store.tables import Ticket

    org, engine = _org_and_engine(migrate=True)
    try:
        with Session(engine) as session:
            existing = session.execute(select(func.count()).select_from(Ticket)).scalar_one()
            if existing and not yes:
                _fail(
                    f"The store already holds {existing} tickets; demo data would mix with "
                    "them. Use an empty database, or --yes."
                )
            last: date | None = until.date() if until else None
            seeded = seed_demo(session, org, weeks=weeks, now=datetime.now(UTC), until=last)
            session.commit()
    finally:
        engine.dispose()
    holidays = ", ".join(d.isoformat() for d in seeded.holidays) or "geen"
    typer.echo(
        f"Demodata: {seeded.tickets} meldingen van {seeded.first_day} t/m {seeded.last_day} "
        f"(feestdagen: {holidays}); titels beginnen met [DEMO]."
    )
