"""`loket`: the one command line for everything that is not a chat server."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer
from pydantic import ValidationError

from router.cli.model_commands import status
from router.cli.privacy_commands import privacy_app
from router.cli.report_commands import demo_app, report
from router.cli.router_commands import route, router_app
from router.cli.staff_commands import staff_app
from router.cli.worker_command import worker
from router.domain.org import OrgFileError, load_organisation
from router.logs import configure_logging

if TYPE_CHECKING:
    from router.settings import StoreSettings

S = TypeVar("S", bound="StoreSettings")

app = typer.Typer(
    help="Loket: één loket voor ICT-vragen van samenwerkende gemeenten.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="The ticket store's database.", no_args_is_help=True)
org_app = typer.Typer(help="The organisation file.", no_args_is_help=True)


@app.callback()
def _main() -> None:
    """Loket: één loket voor ICT-vragen van samenwerkende gemeenten."""
    configure_logging()  # JSON lines on stderr; stdout stays for the command's own output


app.add_typer(db_app, name="db")
app.add_typer(org_app, name="org")
app.add_typer(router_app, name="router")
app.add_typer(staff_app, name="staff")
app.add_typer(privacy_app, name="privacy")
app.command("route")(route)
app.command("worker")(worker)
router_app.command("status")(status)
app.add_typer(demo_app, name="demo")
app.command("report")(report)


def _settings(kind: type[S]) -> S:
    try:
        return kind()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        typer.echo(f"Invalid settings (environment variables): {problems}", err=True)
        raise typer.Exit(2) from None


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(2)


@app.command()
def serve(
    host: str = typer.Option(None, help="Address to listen on (default LOKET_HOST)"),
    port: int = typer.Option(None, help="Port (default LOKET_PORT)"),
    workers: int = typer.Option(None, min=1, help="Worker processes (default LOKET_WORKERS)"),
) -> None:
    """Run the router service (JSON API and staff workspace) until interrupted."""
    from router.app import create_app
    from router.cli.server import serve as run_server
    from router.settings import Settings

    settings = _settings(Settings)
    try:
        application = create_app(settings)
    except OrgFileError as exc:
        _fail(f"Refusing to start, the organisation file is invalid: {exc}")
    run_server(
        application,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Create or migrate the database schema to the newest version."""
    from router.settings import StoreSettings
    from router.store.migrate import upgrade

    upgrade(_settings(StoreSettings).database_url, revision)
    typer.echo(f"Database schema is at {revision}.")


@org_app.command("check")
def org_check(file: Path) -> None:
    """Validate an organisation file and summarise it."""
    try:
        org = load_organisation(file)
    except OrgFileError as exc:
        _fail(str(exc))
    typer.echo(
        f"{file}: OK - {org.name}: {len(org.municipalities)} municipalities, "
        f"{len(org.teams)} teams, {len(org.suppliers)} suppliers, "
        f"{len(org.applications)} applications, {len(org.domains)} domains"
    )


@org_app.command("nlu")
def org_nlu(file: Path, out: Path = typer.Option(Path("data/nlu/catalogue.yml"))) -> None:
    """Write the assistant's lookup and synonym data derived from an organisation file."""
    from router.domain.nlu_catalogue import nlu_catalogue

    try:
        content = nlu_catalogue(load_organisation(file))
    except OrgFileError as exc:
        _fail(str(exc))
    if out.exists() and out.read_text(encoding="utf-8") == content:
        return  # unchanged: keep the timestamp so Rasa and make do not retrain
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(content, encoding="utf-8")
    typer.echo(f"Wrote {out}")
