"""Benchmark of the router's text model: quality against the baseline, latency, training time.

    .venv/bin/python bench/router_eval.py [--csv PATH] [--plots DIR] [--skip-train] [--latency-only]

Quality: 5-fold stratified CV (seed 0) of the model and the TF-IDF + LinearSVC baseline on
the same folds. Latency: one ticket routed in-process, p50/p99 over 2,000 calls after a
warm-up. Training: 50,000 synthetic tickets made by resampling the CSV's rows and dropping
words at random.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np

from router.domain.org import load_organisation
from router.routing import incident_model
from router.routing.decision import DecisionRouter, RouteRequest
from router.routing.evaluation import TARGETS, evaluate
from router.routing.history_import import read_csv
from router.routing.textmodel import Example, train

DEFAULT_CSV = Path("/work/shared/data/it_service_tickets.csv")
ORG_FILE = Path(__file__).resolve().parents[1] / "org" / "de-delta.yaml"
NLU_DIR = ORG_FILE.parents[1] / "data" / "nlu"
MUNICIPALITIES = ["DYK", "ZEE", "POL", "HAV", None]


def quality(examples: list[Example], plots: Path | None) -> None:
    started = time.perf_counter()
    result = evaluate(
        [e.text for e in examples],
        [e.destination for e in examples],
        [e.municipality for e in examples],
        plot_dir=plots,
    )
    elapsed = time.perf_counter() - started
    model, base = result["model"], result["baseline"]
    print(
        f"\n5-fold CV on {result['data']['rows']} tickets, {result['data']['classes']} classes"
        f" ({elapsed:.0f} s for both systems)"
    )
    print(f"{'':28s}{'model':>10s}{'baseline':>10s}{'diff':>9s}")
    for key in ("accuracy", "macro_f1", "top3_accuracy"):
        print(f"{key:28s}{model[key]:10.4f}{base[key]:10.4f}{model[key] - base[key]:+9.4f}")
    for target in TARGETS:
        m, b = model["coverage_at_precision"][target], base["coverage_at_precision"][target]
        print(f"{'coverage @ precision ' + target:28s}{m:10.4f}{b:10.4f}{m - b:+9.4f}")
    for target in TARGETS:
        m, b = model["threshold"][target], base["threshold"][target]
        print(f"{'  threshold ' + target:28s}{_num(m):>10s}{_num(b):>10s}")
    if result["data"]["merged_into_rare"]:
        print("classes merged into (rare):", ", ".join(result["data"]["merged_into_rare"]))


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


class _Fixed:
    def __init__(self, model) -> None:
        self.model = model

    def current(self):
        return self.model


def latency(examples: list[Example], calls: int = 2000, warmup: int = 200) -> None:
    """The whole routing step as the service runs it: rules, the incident recogniser,
    catalogue, then this model."""
    model = train(examples)
    model.incidents, _ = incident_model.train(incident_model.nlu_examples(NLU_DIR))
    # As a version that routes on its own: the model also gives its second opinion on the
    # routes the organisation file's words make (router/routing/decision.py).
    destinations = sorted(model.metadata["per_destination"])
    model.metadata["automatic"] = {
        "enabled": True,
        "threshold": 0.5,
        "override_threshold": 0.7,
        "destinations": destinations,
    }
    router = DecisionRouter(load_organisation(ORG_FILE), _Fixed(model))
    texts = [e.text for e in examples]
    for i in range(warmup):
        router.route(RouteRequest(texts[i % len(texts)], "DYK"))
    timings = []
    for i in range(calls):
        text = texts[(i * 7919) % len(texts)]  # a spread of lengths, not only the first rows
        started = time.perf_counter()
        router.route(RouteRequest(text, "DYK"))
        timings.append(time.perf_counter() - started)
    ms = np.array(timings) * 1000
    print(
        f"\nrouting one ticket in-process, rules, incident recogniser, catalogue, domains and model "
        f"({calls} calls): "
        f"p50 {np.percentile(ms, 50):.2f} ms, p99 {np.percentile(ms, 99):.2f} ms, "
        f"max {ms.max():.2f} ms"
    )


def synthetic(examples: list[Example], n: int, seed: int = 0) -> list[Example]:
    rng = random.Random(seed)  # noqa: S311 - made-up tickets, not secrets
    made = []
    for _ in range(n):
        source = rng.choice(examples)
        words = source.text.split()
        kept = [w for w in words if rng.random() > 0.15] or words
        made.append(Example(" ".join(kept), rng.choice(MUNICIPALITIES), source.destination))
    return made


def training_time(examples: list[Example], n: int = 50_000) -> None:
    tickets = synthetic(examples, n)
    started = time.perf_counter()
    train(tickets)
    incident_model.train(incident_model.nlu_examples(NLU_DIR))  # as every retraining does
    print(f"\ntraining on {n} synthetic tickets: {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--plots", type=Path, help="write the confusion matrix and curve here")
    parser.add_argument("--skip-train", action="store_true", help="skip the 50k training run")
    parser.add_argument("--latency-only", action="store_true", help="only the latency figures")
    args = parser.parse_args()
    examples, report = read_csv(args.csv, ["Document"], "Topic_group")
    print(f"imported {report.imported} of {report.rows} rows; skipped {dict(report.skipped)}")
    if not args.latency_only:
        quality(examples, args.plots)
    latency(examples)
    if not args.skip_train:
        training_time(examples)


if __name__ == "__main__":
    main()
