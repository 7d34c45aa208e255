"""Is a ticket a security incident or a data breach, when its words match none of the rules?

Learned from the assistant's own examples (data/nlu: the security-incident and data-breach
intents against reports, requests, questions about outages and the like): employees describe
a phishing mail or a misdirected letter in endless ways, and the text rules in
router/routing/recognise.py only know the common ones. The model answers only from the
confidence at which it was right often enough on examples it did not train on (out of fold):
below it, the ticket is routed as if nothing was said about security.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import sklearn
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from router.domain.vocabulary import TicketType
from router.routing.scoring import TextBlock, TextBlocks

OTHER = "other"
# The assistant's intents and what they say about a ticket's kind.
INTENT_KINDS = {
    "report_security_incident": str(TicketType.security_incident),
    "report_data_breach": str(TicketType.data_breach),
    "report_incident": OTHER,
    "request_service": OTHER,
    "ask_outages": OTHER,
    "out_of_scope": OTHER,
}
TARGET_PRECISION = 0.98  # out of fold, of the two kinds together
MIN_THRESHOLD = 0.6
MIN_EXAMPLES = 20  # per kind; fewer and there is no model
C = 10.0
# An incident is told in its first lines; the examples it learnt from are chat messages.
# Reading no further keeps one long mail thread from costing milliseconds.
MAX_CHARS = 300
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass
class IncidentModel:
    words: TfidfVectorizer
    chars: TfidfVectorizer
    classifier: LogisticRegression
    threshold: float
    _blocks: TextBlocks | None = field(default=None, init=False, repr=False)

    def kind(self, text: str) -> tuple[TicketType, float] | None:
        """security_incident or data_breach with its probability, or None below the threshold."""
        proba = self.probability(text[:MAX_CHARS])
        best = int(np.argmax(proba))
        label = str(self.classifier.classes_[best])
        if label == OTHER or proba[best] < self.threshold:
            return None
        return TicketType(label), float(proba[best])

    def probability(self, text: str) -> np.ndarray:
        """One text's class probabilities, from the fitted vectorizers' own analyzers and
        weights but without sklearn's per-call validation (routing must stay under 5 ms)."""
        if self._blocks is None:
            offset = len(self.words.vocabulary_)
            words, chars = TextBlock.of(self.words, 0), TextBlock.of(self.chars, offset)
            self._blocks = TextBlocks([words, chars])
        columns, values = self._blocks.weights(text)
        scores = self.classifier.coef_[:, columns] @ values + self.classifier.intercept_
        exp = np.exp(scores - scores.max())
        return exp / exp.sum()

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Many texts' class probabilities at once (training and its folds)."""
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            x = sp.hstack([self.words.transform(texts), self.chars.transform(texts)], "csr")
            scores = x @ self.classifier.coef_.T + self.classifier.intercept_
        scores = np.asarray(scores)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def parts(self) -> dict[str, object]:
        """What the model artifact stores (see TextModel.save)."""
        return {"words": self.words, "chars": self.chars, "classifier": self.classifier}


def nlu_examples(nlu_dir: Path) -> list[tuple[str, str]]:
    """(text, kind) for every example of the intents in INTENT_KINDS, FAQ questions as other."""
    examples: dict[str, str] = {}
    for path in sorted(nlu_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            intent = str(block.get("intent", ""))
            kind = OTHER if intent.startswith("faq/") else INTENT_KINDS.get(intent)
            if kind is None or "examples" not in block:
                continue
            for line in block["examples"].splitlines():
                text = _ANNOTATION.sub(r"\1", line.strip().removeprefix("- ")).strip()
                if text:
                    examples[text] = kind
    return list(examples.items())


def train(examples: Iterable[tuple[str, str]]) -> tuple[IncidentModel | None, dict[str, object]]:
    """The model and its figures; None when either kind has fewer than MIN_EXAMPLES."""
    pairs = list(examples)
    texts = [text for text, _ in pairs]
    labels = [kind for _, kind in pairs]
    counts = {kind: labels.count(kind) for kind in sorted(set(labels))}
    kinds = (str(TicketType.security_incident), str(TicketType.data_breach))
    if any(counts.get(kind, 0) < MIN_EXAMPLES for kind in kinds) or OTHER not in counts:
        return None, {"examples": counts, "trained": False}
    y = np.array(labels)
    proba = np.zeros((len(texts), len(counts)))
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    for train_idx, test_idx in folds.split(texts, y):
        model = _fit([texts[i] for i in train_idx], y[train_idx], 1.0)
        proba[test_idx] = model.probabilities([texts[i] for i in test_idx])
    threshold, precision, recall = _threshold(proba, y, np.array(sorted(counts)))
    figures = {
        "examples": counts,
        "trained": True,
        "threshold": threshold,
        "precision_out_of_fold": precision,
        "recall_out_of_fold": recall,
    }
    return _fit(texts, y, threshold), figures


def _fit(texts: list[str], y: np.ndarray, threshold: float) -> IncidentModel:
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32
    )
    x = sp.hstack([words.fit_transform(texts), chars.fit_transform(texts)], "csr")
    classifier = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    classifier.fit(x, y)
    return IncidentModel(words, chars, classifier, threshold)


def _threshold(proba: np.ndarray, y: np.ndarray, classes: np.ndarray) -> tuple[float, float, float]:
    """The lowest confidence from which the two kinds are TARGET_PRECISION right, with that
    precision and the share of real incidents found from it."""
    predicted = classes[proba.argmax(axis=1)]
    confidence = proba.max(axis=1)
    said = predicted != OTHER
    actual = int((y != OTHER).sum())
    for threshold in np.arange(MIN_THRESHOLD, 1.0, 0.05):
        chosen = said & (confidence >= threshold)
        right = int((chosen & (predicted == y)).sum())
        if chosen.sum() and right / chosen.sum() >= TARGET_PRECISION:
            precision = float(right / chosen.sum())
            return round(float(threshold), 2), round(precision, 3), round(right / max(actual, 1), 3)
    return 1.01, 1.0, 0.0  # never sure enough: the model never answers
