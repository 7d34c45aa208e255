"""NLU evaluation on the held-out test file: intent accuracy and macro-F1, and precision,
recall and F1 of the `application` entity.

    RASA_TELEMETRY_ENABLED=false bot/.venv/bin/python -m bot.nlu_eval           # trains first
    RASA_TELEMETRY_ENABLED=false bot/.venv/bin/python -m bot.nlu_eval --model models/loket.tar.gz

(Run as a module from the repository root, so that Rasa finds bot.components.)

bot/eval/heldout_nlu.yml is never trained on: `rasa train` reads data/ only. Intents are
scored with their retrieval key (faq/password_reset...), and a message the bot would not
understand (nlu_fallback) counts as wrong. Application entities are scored per message on
their canonical values, as the actions receive them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "bot" / "eval" / "heldout_nlu.yml"
GOALS = {"intent_macro_f1": 0.93, "application_f1": 0.93}


def train(out: Path) -> Path:
    """Train the NLU part on data/ only (the held-out file lives outside it)."""
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - our own command
        [str(Path(sys.executable).parent / "rasa"), "train", "nlu", "--config", "bot/config.yml",
         "--domain", "bot/domain.yml", "--nlu", "data", "--out", str(out),
         "--fixed-model-name", "nlu-eval"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )
    logging.getLogger(__name__).info("trained in %.0f s", time.monotonic() - started)
    return out / "nlu-eval.tar.gz"


def gold_examples(path: Path) -> list[tuple[str, str, set[str]]]:
    """(text, intent with retrieval key, canonical application values) per example."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for message in load_data(str(path)).intent_examples:
        intent = message.get("intent_response_key") or message.get("intent")
        apps = {e["value"] for e in message.get("entities") or [] if e["entity"] == "application"}
        examples.append((message.get("text"), intent, apps))
    return examples


def predicted(parse: dict) -> tuple[str, set[str]]:
    intent = (parse.get("intent") or {}).get("name") or ""
    if intent == "faq":
        selector = (parse.get("response_selector") or {}).get("faq") or {}
        intent = (selector.get("response") or {}).get("intent_response_key") or "faq"
    apps = {e["value"] for e in parse.get("entities") or [] if e.get("entity") == "application"}
    return intent, apps


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


async def evaluate(model: Path, examples: list[tuple[str, str, set[str]]]) -> dict:
    from rasa.core.agent import Agent
    from sklearn.metrics import accuracy_score, f1_score

    agent = Agent.load(str(model))
    gold, guess, errors = [], [], []
    counts: Counter[str] = Counter()
    for text, intent, apps in examples:
        got_intent, got_apps = predicted(await agent.parse_message(text))
        gold.append(intent)
        guess.append(got_intent)
        counts["tp"] += len(apps & got_apps)
        counts["fp"] += len(got_apps - apps)
        counts["fn"] += len(apps - got_apps)
        if got_intent != intent or got_apps != apps:
            errors.append({"text": text, "intent": [intent, got_intent],
                           "application": [sorted(apps), sorted(got_apps)]})
    precision, recall, f1 = prf(counts["tp"], counts["fp"], counts["fn"])
    labels = sorted(set(gold))
    return {
        "examples": len(examples),
        "intent_accuracy": accuracy_score(gold, guess),
        "intent_macro_f1": f1_score(gold, guess, labels=labels, average="macro", zero_division=0),
        "fallback_rate": guess.count("nlu_fallback") / len(guess),
        "application_precision": precision,
        "application_recall": recall,
        "application_f1": f1,
        "errors": errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a trained model; default: train one now")
    parser.add_argument("--test", type=Path, default=HELDOUT)
    parser.add_argument("--errors", action="store_true", help="list the misclassified examples")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        model = args.model or train(Path(tmp))
        result = asyncio.run(evaluate(model, gold_examples(args.test)))
    errors = result.pop("errors")
    if args.errors:
        print(json.dumps(errors, indent=1, ensure_ascii=False))
    print(f"held-out examples        {result['examples']}")
    for key in ("intent_accuracy", "intent_macro_f1", "fallback_rate", "application_precision",
                "application_recall", "application_f1"):
        goal = GOALS.get(key)
        mark = ""
        if goal is not None:
            mark = f"  (goal >= {goal}: " + ("met)" if result[key] >= goal else "NOT met)")
        print(f"{key:<24} {result[key]:.3f}{mark}")
    return 0 if all(result[k] >= g for k, g in GOALS.items()) else 1


if __name__ == "__main__":
    sys.exit(main())
