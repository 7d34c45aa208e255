"""`loket staff ...`: staff accounts of the web workspace, managed by an admin."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

import typer
from pydantic import ValidationError
from sqlmodel import Session

from router.domain.vocabulary import Role

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from router.settings import RouterSettings

staff_app = typer.Typer(help="Staff accounts of the web workspace (/staff/).", no_args_is_help=True)


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(2)


def _open() -> tuple[RouterSettings, Engine]:
    from router.settings import RouterSettings
    from router.store.engine import make_engine

    try:
        settings = RouterSettings()
    except ValidationError as exc:
        _fail(f"Invalid settings (environment variables): {exc.errors()[0]['msg']}")
    return settings, make_engine(settings.database_url)


def _password(given: str | None) -> str:
    if given:
        return given
    return typer.prompt("Wachtwoord (min. 12 tekens)", hide_input=True, confirmation_prompt=True)


@staff_app.command("create")
def create(
    username: str,
    role: Role = typer.Option(..., help="servicedesk, coordinator or admin"),
    municipality: str = typer.Option(None, help="Coordinators only: key or name (e.g. DYK)"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (scripts)"
    ),
) -> None:
    """Create a staff account; the password is asked twice (or read from stdin)."""
    from router.domain.org import OrgFileError, load_organisation
    from router.store.accounts import AccountError, create_account

    settings, engine = _open()
    try:
        org = load_organisation(settings.org_file)
    except OrgFileError as exc:
        _fail(str(exc))
    password = typer.get_text_stream("stdin").readline().rstrip("\n") if password_stdin else None
    try:
        with Session(engine) as session:
            account = create_account(
                session,
                username=username,
                password=_password(password),
                role=role,
                municipality=municipality,
                org=org,
            )
            session.commit()
            typer.echo(f"Account '{account.username}' aangemaakt ({account.role}).")
    except (AccountError, ValueError) as exc:
        _fail(str(exc))
    finally:
        engine.dispose()


@staff_app.command("password")
def password(username: str) -> None:
    """Set a new password; the account's open sessions end."""
    from router.store.accounts import AccountError, set_password

    _, engine = _open()
    try:
        with Session(engine) as session:
            set_password(session, username=username, password=_password(None))
            session.commit()
        typer.echo(f"Wachtwoord van '{username}' gewijzigd.")
    except AccountError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()


def _set_active(username: str, active: bool) -> str:
    from router.store.accounts import AccountError, set_active

    _, engine = _open()
    try:
        with Session(engine) as session:
            name = set_active(session, username=username, active=active).username
            session.commit()
        return name
    except AccountError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()


@staff_app.command("deactivate")
def deactivate(username: str) -> None:
    """Disable an account; its open sessions end at once."""
    typer.echo(f"Account '{_set_active(username, False)}' uitgeschakeld.")


@staff_app.command("activate")
def activate(username: str) -> None:
    """Enable a disabled account again (it signs in anew; old sessions stay ended)."""
    typer.echo(f"Account '{_set_active(username, True)}' ingeschakeld.")


@staff_app.command("list")
def list_() -> None:
    """List the accounts."""
    from router.store.accounts import list_accounts

    _, engine = _open()
    try:
        with Session(engine) as session:
            for a in list_accounts(session):
                where = f" {a.municipality}" if a.municipality else ""
                state = "" if a.active else " (uitgeschakeld)"
                typer.echo(f"{a.username}\t{a.role}{where}{state}")
    finally:
        engine.dispose()


@staff_app.command("email")
def email(
    username: str, address: str = typer.Argument("", help="Empty to remove the address")
) -> None:
    """Set (or remove) an account's e-mail address: a coordinator's weekly report goes there."""
    from router.store.accounts import AccountError, set_email

    _, engine = _open()
    try:
        with Session(engine) as session:
            account = set_email(session, username=username, email=address or None)
            name, stored = account.username, account.email
            session.commit()
        typer.echo(f"E-mailadres van '{name}': {stored or '(geen)'}")
    except AccountError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
