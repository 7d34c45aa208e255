"""Routing on a blind Dutch set of the sample organisation, on a fresh install.

Each line of the JSONL file is {"text", "municipality", "expected"} (other keys, such as
"type" or "application", are passed to the router as the assistant would). The router is
the day-one router: the organisation file plus a model trained as `loket router train` does
on an empty store (generated examples, NLU data and the example tickets in data/tickets). Prints what is right (a ticket sent to triage is not), each route kind's
count and precision, the precision of all automatic routes, the triage rate, and the misses
counted by (expected -> got). Ticket texts are never printed: the blind set stays blind.

`--explain` prints each miss with its text and the router's reasons, to learn from a
development set; it refuses a file whose name says it is blind.

Usage: .venv/bin/python bench/routing_blind.py [--file bench/data/blind_routing_nl.jsonl]
       [--explain]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from collections import Counter
from pathlib import Path

from sqlmodel import Session

from router.domain.org import load_organisation
from router.logs import configure_logging
from router.routing.model_registry import ModelRegistry
from router.routing.retrain import retrain
from router.routing.service import build_router, route_dict
from router.settings import RouterSettings
from router.store.engine import make_engine
from router.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT / "bench" / "data" / "blind_routing_nl.jsonl"
KINDS = ("rule", "catalogue", "domain", "model", "triage")


def route_all(rows: list[dict]) -> list[dict]:
    """Every row routed by a fresh install's router (temporary store and model directory)."""
    org = load_organisation(ROOT / "org" / "de-delta.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        settings = RouterSettings(database_url=url, model_dir=Path(tmp) / "models")
        with Session(make_engine(url)) as session:
            retrain(
                org,
                session,
                ModelRegistry(settings.model_dir),
                ROOT / "data" / "nlu",
                ROOT / "data" / "tickets",
            )
        router = build_router(org, settings, check_every=None)
        return [
            route_dict(router, org, {k: v for k, v in row.items() if k != "expected"})
            for row in rows
        ]


def report(rows: list[dict], results: list[dict]) -> list[str]:
    total = len(rows)
    per_kind: dict[str, list[int]] = {kind: [0, 0] for kind in KINDS}
    misses: Counter[tuple[str, str]] = Counter()
    for row, result in zip(rows, results, strict=True):
        right = result["how"] != "triage" and result["destination"] == row["expected"]
        counts = per_kind.setdefault(result["how"], [0, 0])
        counts[0] += right
        counts[1] += 1
        if not right:
            got = "triage" if result["how"] == "triage" else result["destination"]
            misses[(row["expected"], got)] += 1
    right = sum(ok for ok, _ in per_kind.values())
    automatic = total - per_kind["triage"][1]
    lines = [f"right: {right}/{total} = {right / total:.1%} (triage counts as not right)"]
    lines.append(f"{'route':12}{'tickets':>9}{'right':>7}{'precision':>11}")
    for kind, (ok, n) in per_kind.items():
        precision = "-" if kind == "triage" or not n else f"{ok / n:.3f}"
        lines.append(f"{kind:12}{n:>9}{ok if kind != 'triage' else '-':>7}{precision:>11}")
    precision = f"{right / automatic:.3f}" if automatic else "-"
    lines.append(f"automatic routes: {automatic}, precision {precision}")
    lines.append(f"triage rate: {per_kind['triage'][1] / total:.1%}")
    if misses:
        lines.append("misses (expected -> got):")
        for (expected, got), n in sorted(misses.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"  {n:3}  {expected} -> {got}")
    return lines


def explain(rows: list[dict], results: list[dict]) -> list[str]:
    """Each miss: expected, got, how, the router's reasons and the text."""
    lines = []
    for row, result in zip(rows, results, strict=True):
        got = "triage" if result["how"] == "triage" else result["destination"]
        if got != row["expected"]:
            why = "; ".join(result["reasons"]) or "-"
            lines.append(f"{row['expected']} -> {got} ({result['how']}, {why}) {row['text']}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="JSONL of tickets")
    parser.add_argument("--explain", action="store_true", help="print each miss with its text")
    args = parser.parse_args()
    if not args.file.exists():
        sys.exit(f"{args.file} does not exist: give another with --file")
    if args.explain and "blind" in args.file.name:
        sys.exit(f"{args.file.name} is blind: its texts are not printed")
    configure_logging(logging.WARNING)
    lines = args.file.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    print(f"{args.file.name}: {len(rows)} tickets, fresh install (day-one model)")
    results = route_all(rows)
    print("\n".join(report(rows, results)))
    if args.explain:
        print("\n".join(explain(rows, results)))


if __name__ == "__main__":
    main()
