"""Cross-validated evaluation of the model against the baseline, on data it has never seen."""

from __future__ import annotations

import csv
import random

import numpy as np

from router.routing.evaluation import (
    RARE,
    coverage_at_precision,
    evaluate,
    prepare_labels,
    training_metrics,
)
from router.routing.history_import import read_csv

WORDS = {
    "werkplek": "printer scherm toetsenbord laptop muis docking kabel",
    "accounts": "wachtwoord inloggen account vergrendeld toegang rechten",
    "telefonie": "telefoon mobiel simkaart doorschakelen voicemail toestel",
    "inkoop": "bestellen offerte licentie aanschaf factuur leverancier",
}
FILLER = "graag hulp vandaag collega morgen werkt niet meer sinds bericht"


def _write_csv(path, per_class: int = 15) -> None:
    rng = random.Random(1)  # noqa: S311 - made-up tickets, not secrets
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Omschrijving", "Groep", "Gemeente"])
        for group, words in WORDS.items():
            for _ in range(per_class):
                text = rng.choices(words.split(), k=3) + rng.choices(FILLER.split(), k=4)
                writer.writerow([" ".join(text), group, rng.choice(["DYK", "ZEE", ""])])
        writer.writerow(["iets over de koffieautomaat", "facilitair", "DYK"])
        writer.writerow(["koffieautomaat lekt", "facilitair", "ZEE"])
        writer.writerow(["zonder groep", "", "DYK"])


def test_evaluate_returns_both_systems_on_the_same_folds(tmp_path):
    path = tmp_path / "export.csv"
    _write_csv(path)
    examples, report = read_csv(path, ["Omschrijving"], "Groep", municipality_col="Gemeente")
    assert report.skipped == {"empty_label": 1}
    result = evaluate(
        [e.text for e in examples],
        [e.destination for e in examples],
        [e.municipality for e in examples],
        plot_dir=tmp_path / "plots",
    )
    for system in ("model", "baseline"):
        scores = result[system]
        for key in ("accuracy", "macro_f1", "top3_accuracy"):
            assert 0.0 <= scores[key] <= 1.0
        assert set(scores["coverage_at_precision"]) == {"0.90", "0.95", "0.98"}
        assert all(0.0 <= v <= 1.0 for v in scores["coverage_at_precision"].values())
        assert set(scores["threshold"]) == {"0.90", "0.95", "0.98"}
    assert result["model"]["accuracy"] > 0.8  # the topics are easy to tell apart
    # Two 'facilitair' rows are fewer than 5 folds, and too few to form a rare class.
    assert result["data"]["merged_into_rare"] == ["facilitair"]
    assert result["data"]["left_out_rows"] == 2
    assert result["data"]["rows"] == 60
    assert (tmp_path / "plots" / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "plots" / "precision_coverage.png").stat().st_size > 0


def test_rare_classes_are_merged_when_together_big_enough():
    labels = ["a"] * 6 + ["b"] * 6 + ["c"] * 3 + ["d"] * 2
    merged_labels, keep, merged = prepare_labels(labels, folds=5)
    assert merged == ["c", "d"]
    assert keep.all()
    assert list(merged_labels[-5:]) == [RARE] * 5


def test_coverage_at_precision():
    correct = np.array([1, 1, 1, 0, 1, 0], dtype=bool)
    confidence = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    assert coverage_at_precision(correct, confidence, 0.95) == (0.5, 0.7)
    assert coverage_at_precision(correct, confidence, 0.75) == (5 / 6, 0.5)
    assert coverage_at_precision(~correct | True, confidence, 0.98) == (1.0, 0.4)


def test_coverage_does_not_cut_between_ties():
    correct = np.array([1, 0, 1], dtype=bool)
    confidence = np.array([0.9, 0.9, 0.5])
    # Routing only the right one of the two 0.9s is impossible: no threshold separates them.
    assert coverage_at_precision(correct, confidence, 0.95) == (0.0, None)


def _noisy_tickets(n_per_class: int = 40, noise: float = 0.25, seed: int = 3):
    """Tickets where a quarter carry words of another group: not every one is easy."""
    rng = random.Random(seed)  # noqa: S311 - made-up tickets, not secrets
    texts, labels = [], []
    groups = list(WORDS)
    for group in groups:
        for _ in range(n_per_class):
            source = rng.choice(groups) if rng.random() < noise else group
            words = rng.choices(WORDS[source].split(), k=2) + rng.choices(FILLER.split(), k=4)
            texts.append(" ".join(words))
            labels.append(group)
    return texts, labels


def test_training_metrics_choose_the_threshold_that_reaches_the_target_precision():
    texts, labels = _noisy_tickets()
    loose = training_metrics(texts, labels, target_precision=0.80)
    strict = training_metrics(texts, labels, target_precision=0.97)
    assert loose["rows"] == len(texts) and 0.5 < loose["accuracy"] < 1.0
    assert set(loose["coverage_at_precision"]) == {"0.90", "0.95", "0.98"}
    # A stricter target needs more confidence and routes fewer tickets on its own.
    assert loose["route_threshold"] is not None
    assert strict["route_threshold"] is None or strict["route_threshold"] > loose["route_threshold"]
    assert strict["route_coverage"] < loose["route_coverage"]


def test_training_metrics_sample_large_histories():
    texts, labels = _noisy_tickets(n_per_class=60)
    metrics = training_metrics(texts, labels, target_precision=0.9, max_rows=100)
    assert metrics["rows"] == 100


def _many_groups(seed: int = 7) -> tuple[list[str], list[str]]:
    """40 groups of very different sizes (Zipf: 240 down to 6), overlapping words, 10 % of the
    labels wrong: the shape of a real export with many assignment groups."""
    rng = random.Random(seed)  # noqa: S311 - made-up tickets, not secrets
    vocabulary = [f"w{i}" for i in range(400)]
    texts, labels = [], []
    for g in range(40):
        own = rng.sample(vocabulary, 6)
        size = max(6, int(240 / (g + 1) ** 0.9))
        for _ in range(size):
            words = rng.choices(own, k=3) + rng.choices(vocabulary, k=5)
            label = f"groep-{g}" if rng.random() > 0.1 else f"groep-{rng.randrange(40)}"
            texts.append(" ".join(words))
            labels.append(label)
    return texts, labels


def test_never_worse_than_the_baseline_with_many_unequal_groups(capsys):
    texts, labels = _many_groups()
    result = evaluate(texts, labels, folds=5, seed=0)
    model, base = result["model"], result["baseline"]
    with capsys.disabled():
        print(
            f"\n{len(texts)} tickets, {result['data']['classes']} groups: accuracy "
            f"{model['accuracy']:.3f} vs {base['accuracy']:.3f}, macro-F1 {model['macro_f1']:.3f}"
            f" vs {base['macro_f1']:.3f}, coverage@95 {model['coverage_at_precision']['0.95']:.3f}"
            f" vs {base['coverage_at_precision']['0.95']:.3f}; chosen "
            f"{[(c['class_weight'], c['c']) for c in model['chosen']]}"
        )
    assert model["accuracy"] >= base["accuracy"] - 0.005
    assert model["macro_f1"] > base["macro_f1"]
    assert model["coverage_at_precision"]["0.95"] >= base["coverage_at_precision"]["0.95"]
    assert len(model["chosen"]) == 5  # one choice per outer fold, made on its training part
