"""`loket router ...` and `loket route ...`: train, import, evaluate and use the router."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.progress import Progress
from sqlmodel import Session

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from router.domain.org import Organisation
    from router.settings import RouterSettings

router_app = typer.Typer(
    help="The learned router: import history, train, evaluate, roll back.", no_args_is_help=True
)
NLU_DIR = Path("data/nlu")


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(2)


def _org_and_engine() -> tuple[RouterSettings, Organisation, Engine]:
    from router.domain.org import OrgFileError, load_organisation
    from router.settings import RouterSettings
    from router.store.engine import make_engine

    settings = RouterSettings()
    try:
        org = load_organisation(settings.org_file)
    except OrgFileError as exc:
        _fail(str(exc))
    return settings, org, make_engine(settings.database_url)


def _require_schema(engine: Engine, database_url: str) -> None:
    """Stop with what to run when the database is out of reach or its schema is not the newest."""
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its set-up chatter is not for here
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.exc import SQLAlchemyError

    from router.store.migrate import alembic_config

    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        reason = " ".join(str(exc.orig if hasattr(exc, "orig") else exc).split())[:200]
        _fail(f"Cannot open the database ({reason}): check DATABASE_URL.")
    heads = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    if not current:
        _fail("The database has no schema yet: run `loket db upgrade` first.")
    if current != heads:
        _fail("The database schema is older than this version of Loket: run `loket db upgrade`.")


def _require_model(settings: RouterSettings) -> None:
    """Stop with what to run when no model is installed or the current one cannot be read."""
    from router.routing.model_registry import ModelRegistry
    from router.routing.textmodel import ModelArtifactError, load

    registry = ModelRegistry(settings.model_dir)
    version = registry.current_version()
    if version is None:
        _fail(f"No router model is installed in {settings.model_dir}: run `loket router train`.")
    try:
        load(registry.path(version))
    except ModelArtifactError as exc:
        reason = " ".join(str(exc).split())
        _fail(
            f"The router model cannot be read ({reason}): run `loket router train` for a new "
            "version, or `loket router rollback`."
        )


def _csv_columns(text_cols: str) -> list[str]:
    cols = [c.strip() for c in text_cols.split(",") if c.strip()]
    if not cols:
        _fail("--text-cols needs at least one column name")
    return cols


def _label_map(pairs: list[str]) -> dict[str, str] | None:
    mapping = {}
    for pair in pairs:
        group, sep, key = pair.partition("=")
        if not sep or not group.strip() or not key.strip():
            _fail(f"--map expects 'Group name=destination-key', got '{pair}'")
        mapping[group.strip()] = key.strip()
    return mapping or None


@router_app.command("import")
def import_history(
    csv_file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="CSV export, e.g. from TOPdesk"
    ),
    text_cols: str = typer.Option(..., help="Text columns, comma-separated; joined"),
    label_col: str = typer.Option(..., help="Column with the group that handled the ticket"),
    municipality_col: str = typer.Option(None, help="Column with the municipality key"),
    date_col: str = typer.Option(None, help="Column with the ticket date"),
    map_: list[str] = typer.Option([], "--map", help="'Group name=destination-key', repeatable"),
) -> None:
    """Import a CSV of historical tickets as training examples (bad rows are counted, skipped)."""

    from router.routing.history_import import read_csv
    from router.store import training

    settings, org, engine = _org_and_engine()
    _require_schema(engine, settings.database_url)
    label_map = _label_map(map_)
    examples, report = read_csv(
        csv_file,
        text_cols=_csv_columns(text_cols),
        label_col=label_col,
        municipality_col=municipality_col,
        date_col=date_col,
        label_map=label_map,
    )
    unknown = sorted({e.destination for e in examples} - org.destination_keys())
    if label_map and unknown:
        _fail(f"--map names unknown destinations: {', '.join(unknown)}")
    with Session(engine) as session:
        rows = (training.Labelled(e.text, e.municipality, e.destination, e.at) for e in examples)
        training.add_imported(session, source=f"import:{csv_file.name}", examples=rows)
        session.commit()
    typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, default=str))


@router_app.command("train")
def train() -> None:
    """Train a new model version on cold-start data, imports and corrections; make it current."""
    from router.routing.example_tickets import ExampleTicketError
    from router.routing.model_registry import ModelRegistry
    from router.routing.retrain import gate_of, retrain

    settings, org, engine = _org_and_engine()
    _require_schema(engine, settings.database_url)
    with Progress(transient=True) as progress, Session(engine) as session:
        task = progress.add_task("Training", total=None)
        try:
            version, summary = retrain(
                org,
                session,
                ModelRegistry(settings.model_dir),
                NLU_DIR,
                settings.tickets_dir,
                progress=lambda step: progress.update(task, description=step),
                gate=gate_of(settings),
            )
        except ExampleTicketError as exc:
            _fail(f"Example ticket in {settings.tickets_dir}/{exc}: mend or remove that line.")
    typer.echo(json.dumps({"version": version, **summary}, default=str))


@router_app.command("rollback")
def rollback() -> None:
    """Make the previous model version current again (the service picks it up)."""
    from router.routing.model_registry import ModelRegistry, NoModel
    from router.settings import RouterSettings

    try:
        version = ModelRegistry(RouterSettings().model_dir).rollback()
    except NoModel as exc:
        _fail(str(exc))
    typer.echo(f"Current model: {version}")


@router_app.command("evaluate")
def evaluate(
    csv_file: Path = typer.Option(..., "--csv", exists=True, dir_okay=False),
    text_cols: str = typer.Option(..., help="Text columns, comma-separated; joined"),
    label_col: str = typer.Option(...),
    municipality_col: str = typer.Option(None),
    folds: int = typer.Option(5, min=2),
    seed: int = typer.Option(0),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object"),
    plots: Path = typer.Option(
        None, help="Folder for confusion matrix and precision-coverage PNGs"
    ),
) -> None:
    """Cross-validate the text model against a plain baseline on any CSV."""
    from router.routing import evaluation
    from router.routing.history_import import read_csv

    examples, report = read_csv(
        csv_file,
        text_cols=_csv_columns(text_cols),
        label_col=label_col,
        municipality_col=municipality_col,
    )
    if not examples:
        _fail(f"{csv_file}: no usable rows ({report.as_dict()})")
    result = evaluation.evaluate(
        [e.text for e in examples],
        [e.destination for e in examples],
        [e.municipality for e in examples] if municipality_col else None,
        folds=folds,
        seed=seed,
        plot_dir=plots,
    )
    if as_json:
        typer.echo(json.dumps(result))
        return
    typer.echo(f"{len(examples)} rows used; skipped: {dict(report.skipped)}")
    typer.echo(_table(result))


def _table(result: dict) -> str:
    rows = [("accuracy", "accuracy"), ("macro-F1", "macro_f1"), ("top-3 accuracy", "top3_accuracy")]
    lines = [f"{'':28}{'model':>10}{'baseline':>10}"]
    for label, key in rows:
        lines.append(f"{label:28}{result['model'][key]:>10.3f}{result['baseline'][key]:>10.3f}")
    for target in ("0.90", "0.95", "0.98"):
        model = result["model"]["coverage_at_precision"][target]
        base = result["baseline"]["coverage_at_precision"][target]
        lines.append(f"{'coverage at ' + target + ' precision':28}{model:>10.3f}{base:>10.3f}")
    chosen = ", ".join(
        f"{c['class_weight'] or 'none'}/C={c['c']}" for c in result["model"]["chosen"]
    )
    lines.append(f"class weighting/C chosen per fold by inner CV: {chosen}")
    return "\n".join(lines)


def route(
    text: str = typer.Argument(None, help="The ticket text"),
    municipality: str = typer.Option(None, help="Municipality key, e.g. DYK"),
    application: str = typer.Option(None),
    type_: str = typer.Option(
        None, "--type", help="incident, request, question, security_incident, data_breach"
    ),
    jsonl: Path = typer.Option(
        None, help="Route every line {text, municipality, application, type}"
    ),
) -> None:
    """Route one text, or a JSONL file of them, with the installed model and organisation file."""
    from router.routing.service import build_router, route_dict

    settings, org, _ = _org_and_engine()
    _require_model(settings)
    router = build_router(org, settings)
    if jsonl is not None:
        with jsonl.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    out = route_dict(router, org, json.loads(line))
                except (ValueError, KeyError) as exc:
                    out = {"line": number, "error": str(exc)}
                sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return
    if not text or not municipality:
        _fail("give a TEXT and --municipality, or --jsonl FILE")
    try:
        out = route_dict(
            router,
            org,
            {"text": text, "municipality": municipality, "application": application, "type": type_},
        )
    except ValueError as exc:
        _fail(str(exc))
    typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
