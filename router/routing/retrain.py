"""Train a new router model version from everything the store knows, and publish it.

The version is trained on generated examples (organisation file, NLU data) plus every real
example (imported history, staff corrections) and the organisation's example tickets
(router/routing/example_tickets.py). Its figures, its automatic-route threshold and the
comparison with the current version come from those written examples only, out of fold
(router/routing/heldout.py). With `only_if_better` (the worker's nightly run) a version that
does not beat the current one on real examples the current one never saw is not published.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from sqlmodel import Session

from router.domain.org import Organisation
from router.routing import example_tickets, heldout, incident_model, textmodel
from router.routing.heldout import Gate
from router.routing.model_registry import ModelRegistry
from router.routing.training_data import cold_start_examples, correction_weight
from router.settings import RouterSettings
from router.store import training

log = structlog.get_logger()


def gate_of(settings: RouterSettings) -> Gate:
    """When models route on their own, from the settings."""
    return Gate(
        min_real=settings.model_min_real_examples,
        min_per_destination=settings.model_min_per_destination,
        target_precision=settings.route_target_precision,
        override_confidence=settings.model_override_confidence,
    )


def retrain(
    org: Organisation,
    session: Session,
    registry: ModelRegistry,
    nlu_dir: Path | None = None,
    tickets_dir: Path | None = None,
    progress: Callable[[str], None] = lambda _step: None,
    gate: Gate | None = None,
    *,
    only_if_better: bool = False,
    now: datetime | None = None,
) -> tuple[str | None, dict[str, Any]]:
    """Returns (the published version or None, the figures); see the module docstring."""
    gate = gate or Gate()
    now = now or datetime.now(UTC)
    progress("Gathering examples")
    seen = training.newest_ids(session)
    generated = cold_start_examples(org, nlu_dir)
    rows = [*training.real_examples(session), *example_tickets.load(tickets_dir, org)]
    real = [textmodel.Example(r.text, r.municipality, r.destination, r.at) for r in rows]
    real_weights = [correction_weight(r.at, now) if r.source == "correction" else 1.0 for r in rows]
    current_version = registry.current_version()
    current_seen = registry.metadata(current_version).get("seen") if current_version else None
    new = [r.id > (current_seen or {}).get(r.source, 0) for r in rows]

    progress(f"Measuring on {len(real)} real examples (out of fold)")
    held = heldout.out_of_fold(org, generated, real, real_weights, new)
    real_counts = Counter(e.destination for e in real)
    auto = heldout.automatic(held, real_counts, gate, len(real))
    figures = heldout.figures(held, auto, org.routing.triage)
    comparison = _comparison(registry, held, only_if_better, current_seen)

    progress(f"Training on {len(generated) + len(real)} examples")
    started = time.perf_counter()
    model = textmodel.train([*generated, *real], weights=[1.0] * len(generated) + real_weights)
    train_seconds = time.perf_counter() - started
    threshold = auto["threshold"] if auto["enabled"] else 1.0
    model.metadata.update(route_threshold=threshold, automatic=auto, metrics=figures)
    if nlu_dir is not None:
        progress("Training the security-incident and data-breach recogniser")
        model.incidents, model.metadata["incidents"] = incident_model.train(
            incident_model.nlu_examples(nlu_dir)
        )
    summary = {
        "counts": {
            "cold_start": len(generated),
            "imported": sum(r.source == "import" for r in rows),
            "corrections": sum(r.source == "correction" for r in rows),
            "example_tickets": sum(r.source == example_tickets.SOURCE for r in rows),
        },
        "seen": seen,
        "examples": len(generated) + len(real),
        "date_range": model.metadata.get("date_range"),
        "destinations": sorted(model.metadata.get("per_destination", {})),
        "train_seconds": round(train_seconds, 2),
        "route_threshold": threshold,
        "automatic": auto,
        "metrics": figures,
        "comparison": comparison,
        "incidents": model.metadata.get("incidents"),
    }
    if not comparison["better"]:
        log.info("router.model.not_published", **_brief(summary))
        return None, {**summary, "published": False}
    progress("Writing the artifact")
    version = registry.publish(model, {**summary, "published": True})
    log.info("router.model.published", version=version, **_brief(summary))
    return version, {**summary, "published": True}


def _comparison(
    registry: ModelRegistry,
    held: heldout.HeldOut | None,
    only_if_better: bool,
    current_seen: dict[str, int] | None,
) -> dict[str, Any]:
    if not only_if_better:
        return {"better": True, "reason": "published on request"}
    if registry.current_version() is None:
        return heldout.compare(held, None)
    if current_seen is None:
        return {"better": True, "reason": "the current version records no data it has seen"}
    try:
        current = registry.load_current()
    except textmodel.ModelArtifactError as exc:
        log.error("router.model.current_unreadable", error=str(exc))
        return {"better": True, "reason": "the current version cannot be read"}
    return heldout.compare(held, current)


def _brief(summary: dict[str, Any]) -> dict[str, Any]:
    return {
        "examples": summary["examples"],
        "automatic": summary["automatic"]["enabled"],
        "triage_rate": summary["metrics"].get("triage_rate"),
        "automatic_precision": summary["metrics"].get("automatic_precision"),
        "comparison": summary["comparison"],
    }


def corrections_since_current(session: Session, registry: ModelRegistry) -> int:
    """Staff corrections recorded after the current version was trained (all, if none is)."""
    current = registry.current_version()
    seen = registry.metadata(current).get("seen", {}) if current else {}
    return training.count_since(session, seen)["correction"]
