"""How well the text model routes, measured by stratified cross-validation against a baseline.

The model and the baseline (TF-IDF 1-2 grams + LinearSVC, defaults) run on the same folds
in the same call. Besides accuracy, macro-F1 and top-3 accuracy, `coverage_at_precision`
answers the operational question: what share of tickets can be routed automatically
(confidence at or above a threshold) while those routed stay at least this precise.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC
from sklearn.utils.parallel import Parallel, delayed

from router.routing.textmodel import as_table, class_weights, features_step, fit_pipeline

TARGETS = ("0.90", "0.95", "0.98")
RARE = "(rare)"
CHUNK = 4096  # rows scored at a time: keeps probability matrices small with many classes


@dataclass
class Scored:
    """Out-of-fold results for one system: prediction, confidence, whether top-3 held the truth."""

    predicted: np.ndarray
    confidence: np.ndarray
    top3_hit: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Scored:
        return cls(np.empty(n, dtype=object), np.zeros(n), np.zeros(n, dtype=bool))

    def put(
        self, index: np.ndarray, classes: np.ndarray, scores: np.ndarray, truth: np.ndarray
    ) -> None:
        order = np.argsort(-scores, axis=1)[:, :3]
        self.predicted[index] = classes[order[:, 0]]
        self.confidence[index] = scores[np.arange(len(scores)), order[:, 0]]
        self.top3_hit[index] = (classes[order] == np.asarray(truth)[:, None]).any(axis=1)

    def take(self, index: np.ndarray, part: Scored) -> None:
        """Place one fold's results (scored in its own order) at the fold's rows."""
        self.predicted[index] = part.predicted
        self.confidence[index] = part.confidence
        self.top3_hit[index] = part.top3_hit


def coverage_at_precision(
    correct: np.ndarray, confidence: np.ndarray, target: float
) -> tuple[float, float | None]:
    """The largest share routed (confidence >= threshold) with precision >= target.

    Cuts are only made between different confidence values, since a threshold cannot
    separate ties. Returns (coverage, threshold); (0.0, None) if no threshold reaches it.
    """
    order = np.argsort(-confidence, kind="stable")
    conf, hits = confidence[order], np.asarray(correct, dtype=float)[order]
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    last_of_value = np.append(conf[1:] != conf[:-1], True)
    ok = np.flatnonzero(last_of_value & (precision >= target))
    if len(ok) == 0:
        return 0.0, None
    k = ok[-1]
    return float((k + 1) / len(conf)), float(conf[k])


def prepare_labels(labels: Sequence[str], folds: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Labels for stratified folds: classes with fewer members than folds merged into RARE.

    Returns (labels, kept row mask, merged classes). If even the merged class is smaller
    than the number of folds, its rows are left out of the evaluation.
    """
    y = np.asarray(labels, dtype=object)
    counts = Counter(y)
    merged = sorted(k for k, n in counts.items() if n < folds)
    if merged:
        y = np.array([RARE if counts[label] < folds else label for label in y], dtype=object)
    keep = np.ones(len(y), dtype=bool)
    if merged and sum(counts[k] for k in merged) < folds:
        keep = y != RARE
    return y, keep, merged


def evaluate(
    texts: Sequence[str],
    labels: Sequence[str],
    municipalities: Sequence[str | None] | None = None,
    folds: int = 5,
    seed: int = 0,
    plot_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Stratified, shuffled k-fold CV of the model and the baseline on the same folds; the
    model's class weighting and C are chosen per outer fold by inner CV (`choose_params`)."""
    y, keep, merged = prepare_labels(labels, folds)
    table = as_table(list(texts), municipalities)[keep]
    y = y[keep]
    if len(set(y)) < 2:
        raise ValueError("evaluation needs at least two destinations with enough examples")
    model, baseline = Scored.empty(len(y)), Scored.empty(len(y))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    # Folds are independent and each fit uses one core: run them side by side.
    runs = Parallel(n_jobs=min(folds, os.cpu_count() or 1))(
        delayed(_score_fold)(table, y, train_idx, test_idx)
        for train_idx, test_idx in splitter.split(table, y)
    )
    chosen = []
    for test_idx, model_part, baseline_part, params in runs:
        model.take(test_idx, model_part)
        baseline.take(test_idx, baseline_part)
        chosen.append(params)
    result = {
        "model": {**_summary(y, model), "chosen": chosen},
        "baseline": _summary(y, baseline),
        "data": {
            "rows": int(len(y)),
            "left_out_rows": int((~keep).sum()),
            "classes": len(set(y)),
            "folds": folds,
            "seed": seed,
            "merged_into_rare": merged,
        },
    }
    if plot_dir is not None:
        plot_dir = Path(plot_dir)
        plot_dir.mkdir(parents=True, exist_ok=True)
        write_confusion_matrix(y, model.predicted, plot_dir / "confusion_matrix.png")
        write_precision_coverage(
            y, {"model": model, "baseline": baseline}, plot_dir / "precision_coverage.png"
        )
    return result


def training_metrics(
    texts: Sequence[str],
    labels: Sequence[str],
    municipalities: Sequence[str | None] | None = None,
    *,
    target_precision: float,
    folds: int = 2,
    max_rows: int = 10_000,
    seed: int = 0,
) -> dict[str, Any]:
    """Out-of-fold figures of the model on its own training data, and the routing threshold.

    Run at every retraining; the threshold is the lowest confidence at which the tickets
    routed automatically still reach `target_precision` on held-out folds (None when no
    threshold does). At most `max_rows` rows (a stratified sample) keep this to a few
    seconds on large histories; that many give the figures to within a point.
    """
    y, keep, _merged = prepare_labels(labels, folds)
    table = as_table(list(texts), municipalities)[keep]
    y = y[keep]
    if len(y) > max_rows:
        sample, _ = train_test_split(
            np.arange(len(y)), train_size=max_rows, stratify=y, random_state=seed
        )
        table, y = table[sample], y[sample]
    scored = Scored.empty(len(y))
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(
        table, y
    ):
        pipeline, _ = fit_pipeline(table[train_idx], y[train_idx])
        for start in range(0, len(test_idx), CHUNK):
            part = test_idx[start : start + CHUNK]
            scored.put(part, pipeline.classes_, pipeline.predict_proba(table[part]), y[part])
    coverage, threshold = coverage_at_precision(
        scored.predicted == y, scored.confidence, target_precision
    )
    return {
        **_summary(y, scored),
        "rows": int(len(y)),
        "folds": folds,
        "target_precision": target_precision,
        "route_threshold": threshold,
        "route_coverage": coverage,
    }


# What inner cross-validation chooses from: how much rare destinations weigh, and C.
GRID = [
    {"class_weight": weight, "c": c} for weight in (None, "soft", "balanced") for c in (0.15, 0.5)
]
INNER_FOLDS = 3
INNER_MAX_ROWS = 10_000
ACCURACY_SLACK = 0.005  # DECISIONS: "never worse" allows half a point of accuracy


def choose_params(table: np.ndarray, y: np.ndarray, seed: int = 0) -> dict[str, Any]:
    """The model settings for this data, chosen by cross-validation inside `table` alone.

    Each candidate in GRID and the baseline are scored on the same inner folds. Among the
    candidates whose inner accuracy is at least the baseline's minus ACCURACY_SLACK the one
    with the best macro-F1 wins; if none is, the most accurate. The features are fitted once
    on all of `table` (the vocabulary and idf of the training part only; the outer test fold
    is never seen), so the inner loop costs only linear fits.
    """
    if len(y) > INNER_MAX_ROWS:
        sample, _ = train_test_split(
            np.arange(len(y)), train_size=INNER_MAX_ROWS, stratify=y, random_state=seed
        )
        table, y = table[sample], y[sample]
    counts = Counter(y)
    folds = min(INNER_FOLDS, min(counts.values()))
    if folds < 2:
        return {"c": 0.15, "class_weight": "balanced", "inner": "too few examples"}
    x = features_step().fit_transform(table)
    predicted = {i: np.empty(len(y), dtype=object) for i in range(len(GRID))}
    base = np.empty(len(y), dtype=object)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(table, y):
        for i, params in enumerate(GRID):
            weight = class_weights(list(y[train]), str(params["class_weight"] or "") or None)
            svm = LinearSVC(C=params["c"], class_weight=weight).fit(x[train], y[train])
            predicted[i][test] = svm.predict(x[test])
        simple = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LinearSVC())
        base[test] = simple.fit(table[train, 0], y[train]).predict(table[test, 0])
    base_acc = float(accuracy_score(y, base))
    scores = [
        (float(accuracy_score(y, p)), float(f1_score(y, p.astype(str), average="macro")))
        for p in predicted.values()
    ]
    allowed = [i for i, (acc, _f1) in enumerate(scores) if acc >= base_acc - ACCURACY_SLACK]
    best = (
        max(allowed, key=lambda i: scores[i][1])
        if allowed
        else max(range(len(GRID)), key=lambda i: scores[i][0])
    )
    return {**GRID[best], "inner_accuracy": scores[best][0], "inner_macro_f1": scores[best][1]}


def _score_fold(
    table: np.ndarray, y: np.ndarray, train_idx: np.ndarray, test_idx: np.ndarray
) -> tuple[np.ndarray, Scored, Scored, dict[str, Any]]:
    """Fit the model (settings chosen inside the training part) and the baseline on one fold's
    training part; score its test part."""
    n = len(test_idx)
    model, baseline = Scored.empty(n), Scored.empty(n)
    chosen = choose_params(table[train_idx], y[train_idx])
    params = {k: chosen[k] for k in ("c", "class_weight")}
    pipeline, _ = fit_pipeline(table[train_idx], y[train_idx], **params)
    simple = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LinearSVC())
    simple.fit(table[train_idx, 0], y[train_idx])
    for start in range(0, n, CHUNK):
        local = np.arange(start, min(start + CHUNK, n))
        part = test_idx[local]
        model.put(local, pipeline.classes_, pipeline.predict_proba(table[part]), y[part])
        margins = simple.decision_function(table[part, 0])
        if margins.ndim == 1:  # two classes: one margin, positive means classes_[1]
            margins = np.column_stack([-margins, margins])
        baseline.put(local, simple.classes_, margins, y[part])
    return test_idx, model, baseline, chosen


def _summary(y: np.ndarray, scored: Scored) -> dict[str, Any]:
    correct = scored.predicted == y
    coverage, thresholds = {}, {}
    for target in TARGETS:
        coverage[target], thresholds[target] = coverage_at_precision(
            correct, scored.confidence, float(target)
        )
    return {
        "accuracy": float(accuracy_score(y, scored.predicted)),
        "macro_f1": float(f1_score(y, scored.predicted.astype(str), average="macro")),
        "top3_accuracy": float(scored.top3_hit.mean()),
        "coverage_at_precision": coverage,
        "threshold": thresholds,
    }


def _pyplot() -> ModuleType:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on servers and in CI
    import matplotlib.pyplot as plt

    return plt


def write_confusion_matrix(y: np.ndarray, predicted: np.ndarray, path: Path) -> None:
    """Row-normalised confusion matrix; with many classes the labels are left off."""
    plt = _pyplot()
    classes = sorted(set(y) | set(predicted))
    matrix = confusion_matrix(y, predicted, labels=classes, normalize="true")
    size = min(4 + 0.35 * len(classes), 30)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(matrix, cmap="Blues", vmin=0, vmax=1)
    if len(classes) <= 40:
        ax.set_xticks(range(len(classes)), classes, rotation=90)
        ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_precision_coverage(y: np.ndarray, systems: dict[str, Scored], path: Path) -> None:
    """Precision of the auto-routed tickets against the share routed, per system."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for name, scored in systems.items():
        order = np.argsort(-scored.confidence, kind="stable")
        hits = (scored.predicted == y)[order]
        n = np.arange(1, len(hits) + 1)
        ax.plot(n / len(hits), np.cumsum(hits) / n, label=name)
    for target in TARGETS:
        ax.axhline(float(target), color="grey", linewidth=0.5, linestyle=":")
    ax.set_xlabel("coverage (share auto-routed)")
    ax.set_ylabel("precision")
    ax.set_ylim(0.5, 1.0)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
