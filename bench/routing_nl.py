"""Routing accuracy on realistic Dutch tickets of the sample organisation (bench/data/routing_nl.jsonl).

The texts were written apart from anything the router trains on. The router is the day-one
router: a model trained only on the organisation file and the assistant's NLU examples.
Usage: .venv/bin/python bench/routing_nl.py
"""

from __future__ import annotations

import json
import logging
import tempfile
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


def main() -> None:
    configure_logging(logging.WARNING)
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
        router = build_router(org, settings)
        lines = (
            (ROOT / "bench" / "data" / "routing_nl.jsonl").read_text(encoding="utf-8").splitlines()
        )
        rows = [json.loads(line) for line in lines if line.strip()]
        results = [
            route_dict(router, org, {k: v for k, v in r.items() if k != "expected"}) for r in rows
        ]
    right = sum(r["destination"] == row["expected"] for r, row in zip(results, rows, strict=True))
    by_how: dict[str, list[int]] = {}
    for r, row in zip(results, rows, strict=True):
        by_how.setdefault(r["how"], [0, 0])
        by_how[r["how"]][0] += r["destination"] == row["expected"]
        by_how[r["how"]][1] += 1
    print(
        f"Dutch sample-organisation tickets: {right}/{len(rows)} routed right = {right / len(rows):.1%}"
    )
    for how, (ok, n) in sorted(by_how.items()):
        print(f"  {how:10} {ok}/{n}")
    for r, row in zip(results, rows, strict=True):
        if r["destination"] != row["expected"]:
            print(
                f"  miss: {row['municipality']} '{row['text'][:60]}' -> {r['destination']} ({r['how']}, "
                f"{r['confidence']:.2f}); expected {row['expected']}"
            )


if __name__ == "__main__":
    main()
