"""Honest figures for a model version: measured on real tickets it did not train on.

Real examples are what people wrote about real work: imported history and staff corrections.
The examples generated from the organisation file and the NLU data are always trained on and
never measured on: a model scores itself near-perfectly on its own templates (issue 13 saw
accuracy 0.98 there and 11 of 54 right on real text).

Out-of-fold: the real rows measured (all that arrived since the current version, plus a
sample of older ones) are split in folds; each fold is scored by a model trained on
everything else (generated examples and every other real row). From those predictions come
the automatic-route threshold, the router's triage rate and precision, and the comparison
with the current version on rows the current version never saw.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import KFold

from router.domain.org import Organisation
from router.domain.vocabulary import RoutedHow
from router.routing.decision import MIN_THRESHOLD, OVERRIDABLE, CatalogueRouter, RouteRequest
from router.routing.evaluation import coverage_at_precision
from router.routing.textmodel import Example, TextModel, as_table, fit_pipeline

MAX_MEASURED = 5_000  # real rows scored out of fold: enough for figures within a point or two
MIN_MEASURED = 10  # fewer real rows than this: nothing is measured


@dataclass(frozen=True)
class Gate:
    """When the text model may route on its own (RouterSettings holds the values).

    `min_real`: labelled real tickets before the model routes anything automatically. With
    200, a 90 % precision measured on the ~100-150 of them that reach the model is known to
    within about +-5 points (95 % interval); with 50 it could as well be 80 %.
    `min_per_destination`: real examples a destination needs before the model routes to it on
    its own; below that it only knows the destination from generated text, which is what
    routed 43 of 54 real tickets wrong in issue 13.
    `override_confidence`: from this confidence (and never below the measured threshold) the
    model's choice replaces a route the organisation file's words made (a domain's work, an
    application found in the text) where the two disagree. It is set, not measured: the words
    were learned from the example tickets, so out of fold they look better than they are. On
    1,000 example tickets neither had seen, overriding from 0.7 turned 48 wrong routes right
    and 14 right ones wrong.
    """

    min_real: int = 200
    min_per_destination: int = 10
    target_precision: float = 0.90
    override_confidence: float = 0.70


@dataclass
class HeldOut:
    """Out-of-fold results per measured real row."""

    truth: np.ndarray
    by_rules: list[str | None]  # where rules or the catalogue send it; None: to the model
    overridable: list[bool]  # that route rests on words of the organisation file, not a rule
    predicted: np.ndarray
    confidence: np.ndarray
    new: np.ndarray  # arrived after the current version (it never saw these)
    texts: list[str]
    municipalities: list[str | None]


def out_of_fold(
    org: Organisation,
    generated: Sequence[Example],
    real: Sequence[Example],
    real_weights: Sequence[float],
    new: Sequence[bool],
    seed: int = 0,
) -> HeldOut | None:
    """Score real rows with models that did not train on them; None when too few exist."""
    if len(real) < MIN_MEASURED:
        return None
    rng = np.random.default_rng(seed)
    new_idx = np.flatnonzero(np.asarray(new, dtype=bool))
    old_idx = np.flatnonzero(~np.asarray(new, dtype=bool))
    if len(new_idx) > MAX_MEASURED:
        new_idx = rng.choice(new_idx, MAX_MEASURED, replace=False)
    room = max(0, MAX_MEASURED - len(new_idx))
    old_idx = rng.choice(old_idx, min(room, len(old_idx)), replace=False)
    measured = np.sort(np.concatenate([new_idx, old_idx])).astype(int)
    folds = 2 if len(real) > 10_000 else 3
    texts = [e.text for e in [*generated, *real]]
    municipalities = [e.municipality for e in [*generated, *real]]
    labels = np.asarray([e.destination for e in [*generated, *real]], dtype=object)
    weights = np.asarray([1.0] * len(generated) + list(real_weights), dtype=float)
    table = as_table(texts, municipalities)
    offset = len(generated)
    predicted = np.empty(len(measured), dtype=object)
    confidence = np.zeros(len(measured))
    splitter = KFold(folds, shuffle=True, random_state=seed)
    for _train, test in splitter.split(measured):
        held = offset + measured[test]
        keep = np.ones(len(labels), dtype=bool)
        keep[held] = False
        pipeline, _dropped = fit_pipeline(table[keep], list(labels[keep]), list(weights[keep]))
        proba = pipeline.predict_proba(table[held])
        best = proba.argmax(axis=1)
        predicted[test] = pipeline.classes_[best]
        confidence[test] = proba[np.arange(len(best)), best]
    rows = [real[i] for i in measured]
    catalogue = CatalogueRouter(org)
    routes = [catalogue.route(RouteRequest(e.text, e.municipality or "")) for e in rows]
    return HeldOut(
        truth=np.asarray([e.destination for e in rows], dtype=object),
        by_rules=[None if r.how == RoutedHow.triage else r.destination for r in routes],
        overridable=[r.how in OVERRIDABLE for r in routes],
        predicted=predicted,
        confidence=confidence,
        new=np.asarray(new, dtype=bool)[measured],
        texts=[e.text for e in rows],
        municipalities=[e.municipality for e in rows],
    )


def automatic(
    held: HeldOut | None, real_counts: Counter[str], gate: Gate, real_total: int
) -> dict[str, Any]:
    """Whether, where and from which confidence this version routes on its own."""
    destinations = sorted(d for d, n in real_counts.items() if n >= gate.min_per_destination)
    result: dict[str, Any] = {
        "enabled": False,
        "threshold": None,
        "destinations": destinations,
        "real_examples": real_total,
        "needed": gate.min_real,
        "min_per_destination": gate.min_per_destination,
        "target_precision": gate.target_precision,
    }
    if real_total < gate.min_real:
        result["reason"] = f"{real_total} of {gate.min_real} real examples"
        return result
    if held is None or not destinations:
        result["reason"] = f"no destination has {gate.min_per_destination} real examples"
        return result
    eligible = _eligible(held, destinations)
    correct = held.predicted[eligible] == held.truth[eligible]
    _coverage, threshold = coverage_at_precision(
        correct, held.confidence[eligible], gate.target_precision
    )
    if threshold is None:
        result["reason"] = f"no confidence reaches {gate.target_precision:.0%} precision"
        return result
    threshold = max(threshold, MIN_THRESHOLD)
    override = max(threshold, gate.override_confidence)
    result.update(enabled=True, threshold=threshold, override_threshold=override, reason="measured")
    return result


def _eligible(held: HeldOut, destinations: Sequence[str]) -> np.ndarray:
    reaches = np.asarray([d is None for d in held.by_rules], dtype=bool)
    return reaches & np.isin(held.predicted, list(destinations))


def figures(held: HeldOut | None, auto: dict[str, Any], triage: str) -> dict[str, Any]:
    """What the router would have done with the measured real rows (rules, catalogue, model).

    `right`: the final destination is right, triage counting as not right (DECISIONS);
    `automatic_precision`: the share right of those routed without review; `model_accuracy`:
    the model's first choice, routed or suggested.
    """
    if held is None:
        return {"rows": 0}
    final: list[str | None] = []
    threshold = auto["threshold"] if auto["enabled"] else float("inf")
    override = auto.get("override_threshold") or float("inf")
    allowed = set(auto["destinations"])
    rows = zip(held.by_rules, held.overridable, held.predicted, held.confidence, strict=True)
    for rules, overridable, pred, conf in rows:
        if rules is not None and overridable and pred in allowed and conf >= override:
            final.append(pred)
        elif rules is not None:
            final.append(rules)
        elif pred in allowed and conf >= threshold:
            final.append(pred)
        else:
            final.append(None)  # triage, for review, with the model's suggestions
    routed = np.asarray([f is not None for f in final], dtype=bool)
    right = np.asarray([f == t for f, t in zip(final, held.truth, strict=True)], dtype=bool)
    n = len(final)
    return {
        "rows": n,
        "triage_rate": round(float(1 - routed.mean()), 4),
        "automatic_precision": round(float(right[routed].mean()), 4) if routed.any() else None,
        "automatic_routes": int(routed.sum()),
        "right": round(float(right.mean()), 4),
        "model_accuracy": round(float((held.predicted == held.truth).mean()), 4),
        "triage_destination": triage,
    }


def compare(held: HeldOut | None, current: TextModel | None) -> dict[str, Any]:
    """The candidate against the current version on real rows the current one never saw.

    The metric is the model's first choice being right ("model accuracy"): it decides both
    the automatic routes and the first suggestion in triage, and it is measurable from the
    first real example on, when neither version routes on its own yet.
    """
    if current is None:
        return {"better": True, "reason": "no current version"}
    if held is None or not held.new.any():
        return {"better": False, "reason": "no real examples since the current version"}
    idx = np.flatnonzero(held.new)
    truth = held.truth[idx]
    theirs = current.predict_batch(
        [held.texts[i] for i in idx], [held.municipalities[i] for i in idx]
    )
    current_acc = float(np.mean([p.destination == t for p, t in zip(theirs, truth, strict=True)]))
    candidate_acc = float(np.mean(held.predicted[idx] == truth))
    return {
        "metric": "model_accuracy",
        "new_examples": int(len(idx)),
        "candidate": round(candidate_acc, 4),
        "current": round(current_acc, 4),
        "better": candidate_acc > current_acc,
        "reason": "measured on real examples since the current version",
    }
