"""Train a new router model version from everything the store knows, and publish it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import Session

from router import textmodel
from router.model_registry import ModelRegistry
from router.org import Organisation
from router.training_data import training_set


def retrain(
    org: Organisation,
    session: Session,
    registry: ModelRegistry,
    nlu_dir: Path | None = None,
    progress: Callable[[str], None] = lambda _step: None,
) -> tuple[str, dict[str, Any]]:
    """Cold-start examples + imported history + staff corrections -> a new current version."""
    progress("Gathering examples")
    data = training_set(org, session, nlu_dir)
    progress(f"Training on {len(data.examples)} examples")
    started = time.perf_counter()
    model = textmodel.train(data.examples, weights=data.weights)
    summary = {
        "counts": data.counts,
        "examples": len(data.examples),
        "date_range": model.metadata.get("date_range"),
        "destinations": sorted(model.metadata.get("per_destination", {})),
        "train_seconds": round(time.perf_counter() - started, 2),
    }
    progress("Writing the artifact")
    version = registry.publish(model, summary)
    return version, summary
