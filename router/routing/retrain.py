"""Train a new router model version from everything the store knows, and publish it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog
from sqlmodel import Session

from router.domain.org import Organisation
from router.routing import textmodel
from router.routing.decision import DEFAULT_TARGET_PRECISION, MIN_THRESHOLD
from router.routing.evaluation import training_metrics
from router.routing.model_registry import ModelRegistry
from router.routing.training_data import training_set
from router.store import training

log = structlog.get_logger()


def retrain(
    org: Organisation,
    session: Session,
    registry: ModelRegistry,
    nlu_dir: Path | None = None,
    progress: Callable[[str], None] = lambda _step: None,
    target_precision: float = DEFAULT_TARGET_PRECISION,
) -> tuple[str, dict[str, Any]]:
    """Cold-start examples + imported history + staff corrections -> a new current version.

    Held-out folds of the same examples give the version its metrics and its routing
    threshold: the lowest confidence at which automatic routes reach `target_precision`.
    """
    progress("Gathering examples")
    seen = training.newest_ids(session)
    data = training_set(org, session, nlu_dir)
    progress(f"Training on {len(data.examples)} examples")
    started = time.perf_counter()
    model = textmodel.train(data.examples, weights=data.weights)
    train_seconds = time.perf_counter() - started
    progress("Measuring on held-out folds")
    metrics = _metrics(data.examples, target_precision)
    model.metadata["metrics"] = metrics
    model.metadata["route_threshold"] = route_threshold(metrics)
    summary = {
        "counts": data.counts,
        "seen": seen,
        "examples": len(data.examples),
        "date_range": model.metadata.get("date_range"),
        "destinations": sorted(model.metadata.get("per_destination", {})),
        "train_seconds": round(train_seconds, 2),
        "route_threshold": model.metadata["route_threshold"],
        "metrics": metrics,
    }
    progress("Writing the artifact")
    version = registry.publish(model, summary)
    return version, summary


def _metrics(examples: list[textmodel.Example], target_precision: float) -> dict[str, Any]:
    try:
        return training_metrics(
            [e.text for e in examples],
            [e.destination for e in examples],
            [e.municipality for e in examples],
            target_precision=target_precision,
        )
    except ValueError as exc:  # too few examples per destination to hold any out
        log.warning("router.model.not_measured", reason=str(exc))
        return {}


def route_threshold(metrics: dict[str, Any]) -> float:
    """The confidence from which this version routes on its own; below it, triage.

    Never below MIN_THRESHOLD: a destination the model finds less likely than all the others
    together is a suggestion, not a route. When no threshold reached the target precision
    (or nothing could be measured), every model decision goes to triage for review.
    """
    threshold = metrics.get("route_threshold")
    return 1.0 if threshold is None else max(float(threshold), MIN_THRESHOLD)


def corrections_since_current(session: Session, registry: ModelRegistry) -> int:
    """Staff corrections recorded after the current version was trained (all, if none is)."""
    current = registry.current_version()
    seen = registry.metadata(current).get("seen", {}) if current else {}
    return training.count_since(session, seen)["correction"]
