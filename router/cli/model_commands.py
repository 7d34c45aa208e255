"""`loket router status`: the model in use, whether it routes on its own, its figures."""

from __future__ import annotations

import json
from typing import Any

import typer


def status(as_json: bool = typer.Option(False, "--json", help="Print one JSON object")) -> None:
    """The current model version, whether it routes automatically, and every version's figures."""
    from sqlmodel import Session

    from router.domain.org import load_organisation
    from router.routing.model_registry import ModelRegistry
    from router.settings import WorkerSettings
    from router.store import jobs, training
    from router.store.engine import make_engine

    settings = WorkerSettings()
    org = load_organisation(settings.org_file)
    registry = ModelRegistry(settings.model_dir)
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            real = sum(training.count_since(session, {}).values())
            retrain_job = jobs.job_state(session, "retrain")
    finally:
        engine.dispose()
    current = registry.current_version()
    versions = [{"version": v, **registry.metadata(v)} for v in registry.versions()]
    report: dict[str, Any] = {
        "current": current,
        "real_examples": real,
        "needed": settings.model_min_real_examples,
        "automatic": _automatic(registry.metadata(current) if current else {}, real, settings),
        "retraining": {
            "daily_at": settings.retrain_at or None,
            "timezone": org.sla.timezone,
            "after_corrections": settings.retrain_after_corrections or None,
            "last_run": None
            if retrain_job is None
            else {
                "started_at": retrain_job.last_started_at,
                "outcome": retrain_job.last_outcome,
                "detail": retrain_job.last_detail,
                "error": retrain_job.last_error,
            },
        },
        "versions": [_row(v, current) for v in versions],
    }
    if as_json:
        typer.echo(json.dumps(report, default=str))
        return
    typer.echo(_text(report))


def _automatic(metadata: dict[str, Any], real: int, settings: Any) -> str:
    auto = metadata.get("automatic")
    needed = settings.model_min_real_examples
    if not metadata:
        return "no, no model installed (run `loket router train`)"
    if auto is None:
        return "yes, threshold measured on generated examples (a version from before issue 13)"
    if auto.get("enabled"):
        examples = metadata.get("counts", {}).get("example_tickets", 0)
        override = auto.get("override_threshold")
        return (
            f"yes, from confidence {auto['threshold']:.2f}, to {len(auto['destinations'])} "
            f"destinations ({real} real examples, {examples} example tickets)"
            + ("" if override is None else f"; overrides the words' route from {override:.2f}")
        )
    if real < needed:
        return f"no, {real} of {needed} real examples"
    return f"no, {auto.get('reason', 'not measured')}; {real} real examples now: retrain"


def _row(meta: dict[str, Any], current: str | None) -> dict[str, Any]:
    figures = meta.get("metrics", {})
    auto = meta.get("automatic") or {}
    return {
        "version": meta["version"],
        "current": meta["version"] == current,
        "real_examples": auto.get("real_examples"),
        "automatic": auto.get("enabled"),
        "threshold": meta.get("route_threshold"),
        "measured_rows": figures.get("rows"),
        "triage_rate": figures.get("triage_rate"),
        "automatic_precision": figures.get("automatic_precision"),
        "right": figures.get("right"),
        "model_accuracy": figures.get("model_accuracy"),
        "comparison": meta.get("comparison"),
    }


def _num(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _text(report: dict[str, Any]) -> str:
    lines = [
        f"Current model: {report['current'] or 'none'}",
        f"Model routes automatically: {report['automatic']}",
    ]
    retraining = report["retraining"]
    when = [f"daily at {retraining['daily_at']} {retraining['timezone']}"]
    if retraining["after_corrections"]:
        when.append(f"after {retraining['after_corrections']} new corrections")
    lines.append(f"Retraining: {' and '.join(when)}")
    last = retraining["last_run"]
    if last:
        detail = last["detail"] or {}
        published = detail.get("published")
        lines.append(
            f"Last retraining: {last['started_at']:%Y-%m-%d %H:%M} UTC, {last['outcome']}"
            + (f", published {published}" if published else ", not published")
            + (f" ({detail['comparison'].get('reason')})" if detail.get("comparison") else "")
        )
    lines.append("")
    lines.append(
        f"{'':2}{'version':30}{'real':>6}{'auto':>6}{'threshold':>10}{'measured':>9}"
        f"{'triage':>8}{'precision':>10}{'right':>7}"
    )
    for row in report["versions"]:
        lines.append(
            f"{'*' if row['current'] else '':2}{row['version']:30}{_num(row['real_examples']):>6}"
            f"{'yes' if row['automatic'] else 'no':>6}{_num(row['threshold']):>10}"
            f"{_num(row['measured_rows']):>9}{_num(row['triage_rate']):>8}"
            f"{_num(row['automatic_precision']):>10}{_num(row['right']):>7}"
        )
    lines.append(
        "triage: share of held-out real tickets sent to triage; precision: share right of "
        "those routed without review; right: share routed right (triage counts as not right)"
    )
    return "\n".join(lines)
