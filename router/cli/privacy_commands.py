"""`loket privacy ...`: an employee's data for their right of access (AVG art. 15)."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import typer
from pydantic import ValidationError

privacy_app = typer.Typer(
    help="Privacy: an employee's data for their right of access.", no_args_is_help=True
)


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(2)


def _operator() -> str:
    """Who ran the command, as the access log names them: no staff account signs in here."""
    try:
        return f"cli:{getpass.getuser()}"[:200]
    except (KeyError, OSError):  # no user name for this uid (a container)
        return "cli"


@privacy_app.command("export")
def export(
    email: str = typer.Argument(..., help="The employee's e-mail address"),
    out: Path = typer.Option(..., help="Folder for persoonsgegevens.json and .html"),
    reason: str = typer.Option(
        ..., help="Why (e.g. 'inzageverzoek AVG 2026-12'): logged with each ticket exported"
    ),
    by: str = typer.Option(None, help="Who exports, for the access log (default: cli:<user>)"),
) -> None:
    """Write an employee's tickets, the comments to them and their conversations to OUT."""
    from sqlmodel import Session

    from router.domain.errors import InvalidInput
    from router.domain.org import OrgFileError, load_organisation
    from router.settings import RouterSettings
    from router.store.engine import make_engine
    from router.subject_access.export import export_employee, write_files

    try:
        settings = RouterSettings()
        org = load_organisation(settings.org_file)
    except ValidationError as exc:
        _fail(f"Invalid settings (environment variables): {exc.errors()[0]['msg']}")
    except OrgFileError as exc:
        _fail(str(exc))
    engine = make_engine(settings.database_url)
    staff = (by or "").strip()[:200] or _operator()
    try:
        with Session(engine) as session:  # logged before written: never a disclosure unlogged
            result = export_employee(session, email=email, staff=staff, reason=reason, org=org,
                                     now=datetime.now(UTC))  # fmt: skip
            session.commit()
    except InvalidInput as exc:
        _fail(exc.dutch())
    finally:
        engine.dispose()
    try:
        written = write_files(result.files, out)
    except OSError as exc:
        _fail(f"Cannot write to {out}: {exc.strerror}")
    typer.echo(f"{len(result.references)} melding(en) geëxporteerd naar "
               f"{', '.join(str(p) for p in written)}")  # fmt: skip
