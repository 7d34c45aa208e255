"""NLU evaluation: intent accuracy and macro-F1, and precision, recall and F1 of the
`application` entity, by 5-fold cross-validation on data/nlu, on the held-out file, and on
the blind file bench/data/blind_nlu.yml when it exists.

    RASA_TELEMETRY_ENABLED=false bot/.venv/bin/python -m bot.nlu_eval           # trains first
    RASA_TELEMETRY_ENABLED=false bot/.venv/bin/python -m bot.nlu_eval --model models/loket.tar.gz
    RASA_TELEMETRY_ENABLED=false bot/.venv/bin/python -m bot.nlu_eval --folds 0   # no CV

(Run as a module from the repository root, so that Rasa finds bot.components.)

bot/eval/heldout_nlu.yml is never trained on: `rasa train` reads data/ only. Intents are
scored with their retrieval key (faq/password_reset...), and a message the bot would not
understand (nlu_fallback) counts as wrong. Application entities are scored per message on
their canonical values, as the actions receive them.

Cross-validation trains the whole NLU pipeline once per fold (stratified by intent with its
retrieval key, seed 0; the catalogue's lookup tables and synonyms stay in every fold) and
scores the pooled predictions. The blind file is somebody else's test set: its messages are
never printed, only the figures and a count of confusions per intent pair.
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "bot" / "eval" / "heldout_nlu.yml"
BLIND = ROOT / "bench" / "data" / "blind_nlu.yml"
NLU_DATA = ROOT / "data" / "nlu"
GOALS = {"intent_macro_f1": 0.93, "application_f1": 0.93}
BLIND_GOALS = {"intent_macro_f1": 0.92, "application_f1": 0.95}
FIGURES = ("intent_accuracy", "intent_macro_f1", "fallback_rate", "application_precision",
           "application_recall", "application_f1")

Example = tuple[str, str, set[str]]


def train(out: Path, nlu: Path = ROOT / "data", name: str = "nlu-eval") -> Path:
    """Train the NLU part on `nlu` (default data/; the held-out file lives outside it)."""
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - our own command
        [str(Path(sys.executable).parent / "rasa"), "train", "nlu", "--config", "bot/config.yml",
         "--domain", "bot/domain.yml", "--nlu", str(nlu), "--out", str(out),
         "--fixed-model-name", name],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )
    print(f"  trained {name} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return out / f"{name}.tar.gz"


def gold(message: Any) -> Example:
    """(text, intent with retrieval key, canonical application values) of one example."""
    intent = message.get("intent_response_key") or message.get("intent")
    apps = {e["value"] for e in message.get("entities") or [] if e["entity"] == "application"}
    return message.get("text"), intent, apps


def gold_examples(path: Path) -> list[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    return [gold(message) for message in load_data(str(path)).intent_examples]


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


async def predict(model: Path, examples: list[Example]) -> list[tuple[str, set[str]]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [predicted(await agent.parse_message(text)) for text, _, _ in examples]


def score(examples: list[Example], predictions: list[tuple[str, set[str]]]) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    gold_intents, guess, errors = [], [], []
    counts: Counter[str] = Counter()
    for (text, intent, apps), (got_intent, got_apps) in zip(examples, predictions, strict=True):
        gold_intents.append(intent)
        guess.append(got_intent)
        counts["tp"] += len(apps & got_apps)
        counts["fp"] += len(got_apps - apps)
        counts["fn"] += len(apps - got_apps)
        if got_intent != intent or got_apps != apps:
            errors.append({"text": text, "intent": [intent, got_intent],
                           "application": [sorted(apps), sorted(got_apps)]})
    precision, recall, f1 = prf(counts["tp"], counts["fp"], counts["fn"])
    labels = sorted(set(gold_intents))
    # Confusions per pair of top-level intents (faq/<topic> counted as faq).
    top = [(g.split("/")[0], p.split("/")[0]) for g, p in zip(gold_intents, guess, strict=True)]
    return {
        "examples": len(examples),
        "intent_accuracy": accuracy_score(gold_intents, guess),
        "intent_macro_f1": f1_score(gold_intents, guess, labels=labels, average="macro",
                                    zero_division=0),
        "fallback_rate": guess.count("nlu_fallback") / len(guess),
        "application_precision": precision,
        "application_recall": recall,
        "application_f1": f1,
        "confusions": Counter((g, p) for g, p in top if g != p),
        # Application mistakes by value (never the texts): which names are missed or added.
        "application_misses": Counter(
            (kind, app) for e in errors for kind, apps in
            (("missed", set(e["application"][0]) - set(e["application"][1])),
             ("added", set(e["application"][1]) - set(e["application"][0])))
            for app in apps),
        "errors": errors,
    }


async def evaluate(model: Path, examples: list[Example]) -> dict:
    return score(examples, await predict(model, examples))


def cross_validate(folds: int, tmp: Path) -> dict:
    """Pooled figures of `folds`-fold cross-validation on data/nlu (whole NLU pipeline)."""
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    data = load_data(str(NLU_DATA))
    messages = data.intent_examples
    labels = [m.get_full_intent() for m in messages]
    examples: list[Example] = []
    predictions: list[tuple[str, set[str]]] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for fold, (train_index, test_index) in enumerate(splitter.split(messages, labels)):
        fold_data = TrainingData(
            training_examples=[messages[i] for i in train_index],
            entity_synonyms=data.entity_synonyms,
            regex_features=data.regex_features,
            lookup_tables=data.lookup_tables,
        )
        directory = tmp / f"fold{fold}"
        directory.mkdir()
        (directory / "nlu.yml").write_text(fold_data.nlu_as_yaml(), "utf-8")
        model = train(directory, directory / "nlu.yml", f"fold{fold}")
        test = [gold(messages[i]) for i in test_index]
        examples += test
        predictions += asyncio.run(predict(model, test))
    return score(examples, predictions)


def report(title: str, result: dict, goals: dict[str, float]) -> bool:
    """Print the figures of one test set; whether its goals are met."""
    print(f"{title}: {result['examples']} examples")
    for key in FIGURES:
        goal = goals.get(key)
        mark = ""
        if goal is not None:
            mark = f"  (goal >= {goal}: " + ("met)" if result[key] >= goal else "NOT met)")
        print(f"  {key:<24} {result[key]:.3f}{mark}")
    return all(result[k] >= g for k, g in goals.items())


def report_confusions(result: dict, limit: int = 15) -> None:
    confusions = result["confusions"].most_common(limit)
    if confusions:
        print("  confusions (gold -> predicted: count)")
    for (gold_intent, guess), count in confusions:
        print(f"    {gold_intent} -> {guess or '(none)'}: {count}")
    misses = result.get("application_misses", Counter()).most_common(limit)
    if misses:
        print("  application mistakes (missed / added name: count)")
    for (kind, app), count in misses:
        print(f"    {kind} {app}: {count}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a trained model; default: train one now")
    parser.add_argument("--test", type=Path, default=HELDOUT)
    parser.add_argument("--folds", type=int, default=5,
                        help="cross-validation folds on data/nlu (0: none)")
    parser.add_argument("--errors", action="store_true",
                        help="list the misclassified held-out and CV examples (never blind ones)")
    args = parser.parse_args()
    # Rasa logs every parsed message (its text) at debug level: warnings only, so that no
    # test message, blind ones least of all, reaches the output.
    from rasa.utils.log_utils import configure_structlog

    logging.basicConfig(level=logging.WARNING)
    configure_structlog(logging.WARNING)
    met = True
    with tempfile.TemporaryDirectory() as tmp:
        if args.folds > 1:
            started = time.monotonic()
            result = cross_validate(args.folds, Path(tmp))
            if args.errors:
                print(json.dumps(result["errors"], indent=1, ensure_ascii=False))
            report(f"{args.folds}-fold cross-validation on data/nlu "
                   f"({time.monotonic() - started:.0f} s)", result, {})
            report_confusions(result)
        model = args.model or train(Path(tmp))
        result = asyncio.run(evaluate(model, gold_examples(args.test)))
        if args.errors:
            print(json.dumps(result["errors"], indent=1, ensure_ascii=False))
        met &= report(f"held-out {args.test.relative_to(ROOT)}", result, GOALS)
        report_confusions(result)
        if BLIND.exists():
            result = asyncio.run(evaluate(model, gold_examples(BLIND)))
            met &= report(f"blind {BLIND.relative_to(ROOT)}", result, BLIND_GOALS)
            report_confusions(result)
        else:
            print(f"blind: {BLIND.relative_to(ROOT)} not there yet (goals: intent macro-F1 >= "
                  f"{BLIND_GOALS['intent_macro_f1']}, application F1 >= "
                  f"{BLIND_GOALS['application_f1']})")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
