"""The router's text model: ticket text + municipality -> destination, with a calibrated confidence.

Training is separate from serving. `build_pipeline` is a pure function; `train` fits it on
labelled examples; `TextModel.save` writes one skops file (never pickle) holding the pipeline
and its metadata (sklearn version, creation time, data counts, date range, metrics); `load`
reads it back, trusting only the types listed in `TRUSTED_TYPES`.

The pipeline's input is a two-column object array, text then municipality (see `as_table`),
so that it needs no pandas.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import sklearn
import skops.io as sio
import structlog
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.svm import LinearSVC

from router.routing.incident_model import IncidentModel
from router.routing.scoring import LinearScorer, UnsupportedPipeline

log = structlog.get_logger()

TEXT, MUNICIPALITY = 0, 1
# /2 keeps the vocabularies apart as arrays (see _vocabularies_apart), which a release that
# reads only /1 could not use: it refuses a /2 file by its format instead of failing inside it.
FORMAT = "loket-textmodel/2"
READABLE_FORMATS = ("loket-textmodel/1", FORMAT)
# The model reads a ticket's first 1,000 characters, in training and in serving alike: what a
# ticket is about is said early, and a whole mail thread (the shared CSV's longest: 6,900)
# cost a route 8 ms at p99 once every ticket got the model's second opinion.
MAX_TEXT = 1_000
CALIBRATION_FOLDS = 2  # temperature is one parameter; two folds estimate it well and train fast

# Everything a saved pipeline is made of beyond what skops trusts by default. Loading refuses
# a file holding any other type, so an artifact cannot smuggle in code.
TRUSTED_TYPES = [
    "builtins.slice",
    "numpy.dtype",
    "scipy.sparse._csr.csr_matrix",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.calibration._TemperatureScaling",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._encoders.OneHotEncoder",
    "sklearn.svm._classes.LinearSVC",
]


# Words that explain nothing to a person asking "waarom deze route?" (Dutch and English).
STOP_WORDS = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "van",
        "in",
        "op",
        "te",
        "is",
        "dat",
        "die",
        "niet",
        "met",
        "voor",
        "er",
        "ik",
        "je",
        "mijn",
        "we",
        "wij",
        "ze",
        "zijn",
        "bij",
        "aan",
        "om",
        "als",
        "of",
        "maar",
        "ook",
        "nog",
        "naar",
        "dan",
        "kan",
        "wil",
        "heb",
        "heeft",
        "wordt",
        "worden",
        "jullie",
        "u",
        "uw",
        "mij",
        "me",
        "the",
        "a",
        "an",
        "and",
        "of",
        "to",
        "in",
        "on",
        "is",
        "it",
        "for",
        "with",
        "my",
        "i",
        "not",
        "can",
    ]
)


def _only_stop_words(phrase: str) -> bool:
    return all(word in STOP_WORDS for word in phrase.split())


class ModelArtifactError(Exception):
    """A model file is missing or cannot be used; the message names the file."""


@dataclass(frozen=True)
class Example:
    """One labelled ticket: what was asked, where, and who handled it."""

    text: str
    municipality: str | None
    destination: str
    at: datetime | None = None


@dataclass(frozen=True)
class Prediction:
    destination: str
    confidence: float
    top3: list[tuple[str, float]]
    explain: Callable[[], list[str]] = field(default=list, repr=False, compare=False)

    @functools.cached_property
    def reasons(self) -> list[str]:
        """The words that weighed most for it; worked out only for a route that shows them,
        since most predictions only confirm a route the words made."""
        return self.explain()


def as_table(
    texts: Sequence[str], municipalities: Sequence[str | None] | None = None
) -> np.ndarray:
    """The pipeline's input: one row per ticket, columns text and municipality ('' if none)."""
    if municipalities is None:
        municipalities = [None] * len(texts)
    if len(municipalities) != len(texts):
        raise ValueError("texts and municipalities differ in length")
    table = np.empty((len(texts), 2), dtype=object)
    table[:, TEXT] = [(t or "")[:MAX_TEXT] for t in texts]
    table[:, MUNICIPALITY] = [(m or "").strip() for m in municipalities]
    return table


def rows_to_table(rows: Iterable[Mapping[str, Any]] | Any) -> np.ndarray:
    """A table from a list of dicts or a DataFrame with `text` and (optional) `municipality`."""
    if hasattr(rows, "to_dict"):  # a pandas DataFrame, without importing pandas
        rows = rows.to_dict("records")
    rows = list(rows)
    return as_table([r["text"] for r in rows], [r.get("municipality") for r in rows])


def class_weights(labels: Sequence[str], kind: str | None) -> dict[str, float] | str | None:
    """None (every ticket counts the same), "balanced" (each destination counts the same), or
    "soft": the square root of balanced, which helps rare destinations less than balanced and
    costs the common ones less (issue 13: balanced lost 6 points of accuracy on 74 groups)."""
    return soft_weights(labels) if kind == "soft" else kind


def soft_weights(labels: Sequence[str]) -> dict[str, float]:
    counts = Counter(labels)
    n, k = sum(counts.values()), len(counts)
    return {label: float(np.sqrt(n / (k * count))) for label, count in counts.items()}


def features_step() -> ColumnTransformer:
    """Word 1-2 grams + char_wb 2-5 grams (sublinear TF-IDF) + municipality one-hot."""
    return ColumnTransformer(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2), TEXT),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
                ),
                TEXT,
            ),
            ("municipality", OneHotEncoder(handle_unknown="ignore"), [MUNICIPALITY]),
        ]
    )


def build_pipeline(
    *,
    c: float = 0.15,
    class_weight: str | None = "balanced",
    calibration: str = "temperature",
    calibration_folds: int = CALIBRATION_FOLDS,
) -> Pipeline:
    """Word 1-2 grams + char_wb 2-5 grams (sublinear TF-IDF) + municipality one-hot -> LinearSVC.

    Probabilities come from calibrating the SVM's margins on held-out folds; the SVM used
    for predictions is the one trained on all the data (ensemble=False), so serving costs
    one linear model.
    """
    features = features_step()
    svm = LinearSVC(C=c, class_weight=class_weight)
    folds = StratifiedKFold(calibration_folds, shuffle=True, random_state=0)
    classifier = CalibratedClassifierCV(svm, method=calibration, cv=folds, ensemble=False)
    return Pipeline([("features", features), ("classifier", classifier)])


def fit_pipeline(
    table: np.ndarray,
    labels: Sequence[str],
    weights: Sequence[float] | None = None,
    **params: Any,
) -> tuple[Pipeline, list[str]]:
    """Fit `build_pipeline(**params)`; returns it and the classes left out (one example only).

    Calibration needs every class in every calibration fold's training part, so the folds
    shrink to the smallest class (at least 2) and single-example classes are left out.
    """
    y = np.asarray(labels, dtype=object)
    counts = Counter(y)
    dropped = sorted(k for k, n in counts.items() if n < 2)
    keep = np.array([counts[label] >= 2 for label in y], dtype=bool)
    if len(counts) - len(dropped) < 2:
        raise ValueError("training needs at least two destinations with two examples each")
    smallest = min(n for n in counts.values() if n >= 2)
    params.setdefault("calibration_folds", min(CALIBRATION_FOLDS, smallest))
    sample_weight = None if weights is None else np.asarray(weights, dtype=float)[keep]
    if params.get("class_weight") == "soft":
        # As sample weights: the calibration wrapper hands the SVM encoded labels, which a
        # class_weight dict keyed by destination would not match.
        soft = soft_weights(list(y[keep]))
        per_row = np.array([soft[label] for label in y[keep]])
        sample_weight = per_row if sample_weight is None else sample_weight * per_row
        params["class_weight"] = None
    pipeline = build_pipeline(**params)
    fit_params = {}
    if sample_weight is not None:
        fit_params["classifier__sample_weight"] = sample_weight
    pipeline.fit(table[keep], y[keep], **fit_params)
    for name in ("words", "chars"):
        # The terms min_df pruned: only kept for introspection, and larger than the model.
        pipeline.named_steps["features"].named_transformers_[name].stop_words_ = None
    return pipeline, dropped


class TextModel:
    """A fitted pipeline plus what is needed to explain and describe its predictions."""

    def __init__(
        self,
        pipeline: Pipeline,
        metadata: dict[str, Any],
        incidents: IncidentModel | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.metadata = metadata
        self.incidents = incidents  # security incident or data breach, see incident_model.py
        self.classes: np.ndarray = pipeline.classes_
        features: ColumnTransformer = pipeline.named_steps["features"]
        words: TfidfVectorizer = features.named_transformers_["words"]
        self._words = words.get_feature_names_out()
        self._word_slice: slice = features.output_indices_["words"]
        self._vectorizers = (words, features.named_transformers_["chars"])
        encoder: OneHotEncoder = features.named_transformers_["municipality"]
        self._municipalities = {str(m): i for i, m in enumerate(encoder.categories_[0])}
        self._calibrated = pipeline.named_steps["classifier"].calibrated_classifiers_[0]
        coef = self._calibrated.estimator.coef_
        # With two classes the SVM keeps one row, for the second class; the first is its mirror.
        self._coef = np.vstack([-coef, coef]) if coef.shape[0] == 1 else coef
        self.scorer = self._fast_scorer(features)

    @property
    def route_threshold(self) -> float | None:
        """The confidence from which this version routes on its own (set at retraining)."""
        value = self.metadata.get("route_threshold")
        return None if value is None else float(value)

    def automatic_threshold(self, destination: str) -> float | None:
        """From which confidence this version routes to `destination` on its own; None: never.

        Versions trained since issue 13 carry `automatic` (measured on real tickets, see
        router/routing/heldout.py): until enough real examples exist they route nothing on
        their own. Older versions fall back to their `route_threshold` (KeyError if none).
        """
        auto = self.metadata.get("automatic")
        if auto is None:
            raise KeyError("automatic")
        if not auto.get("enabled") or destination not in auto.get("destinations", ()):
            return None
        return float(auto["threshold"])

    def override_threshold(self, destination: str) -> float | None:
        """From which confidence this version's choice of `destination` replaces a route the
        organisation file's words made; None: never (see router/routing/heldout.py, Gate)."""
        auto = self.metadata.get("automatic") or {}
        if not auto.get("enabled") or destination not in auto.get("destinations", ()):
            return None
        value = auto.get("override_threshold")
        return None if value is None else float(value)

    def _fast_scorer(self, features: ColumnTransformer) -> LinearScorer | None:
        calibrators = self._calibrated.calibrators
        if self._calibrated.method != "temperature" or len(calibrators) != 1:
            return None
        estimator = self._calibrated.estimator
        try:
            return LinearScorer(
                features, estimator.coef_, estimator.intercept_, float(calibrators[0].beta_)
            )
        except UnsupportedPipeline as exc:
            log.warning("router.model.slow_path", reason=str(exc))
            return None

    def predict(self, text: str, municipality: str | None = None) -> Prediction:
        if self.scorer is None:
            return self.predict_batch([text], [municipality])[0]
        columns, values = self.scorer.features((text or "")[:MAX_TEXT], municipality)
        proba = self.scorer.probabilities(columns, values)
        return self._prediction(proba, columns, values)

    def predict_batch(
        self, texts: Sequence[str], municipalities: Sequence[str | None] | None = None
    ) -> list[Prediction]:
        x = self.features(texts, municipalities)
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            proba = self._calibrated.predict_proba(x)
        return [self._prediction(row, x[i].indices, x[i].data) for i, row in enumerate(proba)]

    def _prediction(self, proba: np.ndarray, columns: np.ndarray, values: np.ndarray) -> Prediction:
        order = np.argsort(-proba)[:3]
        top3 = [(str(self.classes[k]), float(proba[k])) for k in order]
        best = order[0]
        return Prediction(
            top3[0][0], top3[0][1], top3, lambda: self._reasons(columns, values, best)
        )

    def features(
        self, texts: Sequence[str], municipalities: Sequence[str | None] | None = None
    ) -> sp.csr_matrix:
        """The pipeline's features, built without ColumnTransformer's per-call overhead.

        ColumnTransformer costs several milliseconds per call in validation alone; routing
        one ticket has to stay well under that. Tests check this equals the pipeline's output.
        """
        table = as_table(texts, municipalities)
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            words = self._vectorizers[0].transform(table[:, TEXT])
            chars = self._vectorizers[1].transform(table[:, TEXT])
        rows = [i for i, m in enumerate(table[:, MUNICIPALITY]) if m in self._municipalities]
        cols = [self._municipalities[table[i, MUNICIPALITY]] for i in rows]
        onehot = sp.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(table), len(self._municipalities))
        )
        return sp.hstack([words, chars, onehot], format="csr")

    def _reasons(
        self, columns: np.ndarray, values: np.ndarray, klass: int, n: int = 5
    ) -> list[str]:
        """The words whose weight x value pushed most towards the predicted class."""
        start, stop = self._word_slice.start, self._word_slice.stop
        mask = (columns >= start) & (columns < stop)
        idx, values = columns[mask], values[mask]
        contrib = values * self._coef[klass, idx]
        order = np.lexsort((idx, -contrib))  # ties by vocabulary order: the same on every path
        best: list[str] = []
        for j in order:  # the strongest first: stop at n, or where the push ends
            if contrib[j] <= 0 or len(best) == n:
                break
            word = str(self._words[idx[j] - start])
            if not _only_stop_words(word):
                best.append(word)
        return best

    def save(self, path: str | Path) -> None:
        """Write the model atomically: a reader never sees half a file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload: dict[str, Any] = {
            "format": FORMAT,
            "metadata": json.dumps(self.metadata),
            "pipeline": self.pipeline,
        }
        if self.incidents is not None:
            payload["incidents"] = self.incidents.parts()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        os.close(fd)
        try:
            with _vocabularies_apart(payload) as payload["vocabularies"]:
                sio.dump(payload, tmp, compression=zipfile.ZIP_DEFLATED, compresslevel=1)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _vectorizers(payload: Mapping[str, Any]) -> dict[str, TfidfVectorizer]:
    """The payload's fitted vectorizers, by a name that finds them again after loading."""
    features = payload["pipeline"].named_steps["features"].named_transformers_
    found = {
        f"pipeline/{name}": transformer
        for name, transformer in features.items()
        if isinstance(transformer, TfidfVectorizer)
    }
    for name, part in (payload.get("incidents") or {}).items():
        if isinstance(part, TfidfVectorizer):
            found[f"incidents/{name}"] = part
    return found


@contextlib.contextmanager
def _vocabularies_apart(payload: Mapping[str, Any]) -> Iterator[dict[str, np.ndarray]]:
    """The vocabularies as arrays of terms in column order, taken off their vectorizers while
    the payload is written and put back after: skops writes a dict as one JSON node per
    term, which took 60 % of a retraining; an array is written in one go."""
    vectorizers = _vectorizers(payload)
    taken = {name: vectorizer.vocabulary_ for name, vectorizer in vectorizers.items()}
    try:
        for vectorizer in vectorizers.values():
            del vectorizer.vocabulary_
        yield {
            name: np.array(sorted(vocabulary, key=vocabulary.__getitem__), dtype=str)
            for name, vocabulary in taken.items()
        }
    finally:
        for name, vectorizer in vectorizers.items():
            vectorizer.vocabulary_ = taken[name]


def _vocabularies_back(payload: Mapping[str, Any]) -> None:
    vectorizers = _vectorizers(payload)
    for name, terms in (payload.get("vocabularies") or {}).items():
        vectorizers[name].vocabulary_ = {term: i for i, term in enumerate(terms.tolist())}

def train(
    examples: Sequence[Example],
    weights: Sequence[float] | None = None,
    *,
    metrics: dict[str, Any] | None = None,
    **params: Any,
) -> TextModel:
    """Fit the text model on labelled examples (optionally weighted, e.g. corrections)."""
    if weights is not None and len(weights) != len(examples):
        raise ValueError("weights and examples differ in length")
    table = as_table([e.text for e in examples], [e.municipality for e in examples])
    labels = [e.destination for e in examples]
    pipeline, dropped = fit_pipeline(table, labels, weights, **params)
    dates = [e.at for e in examples if e.at is not None]
    metadata = {
        "sklearn_version": sklearn.__version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "examples": len(examples),
        "per_destination": dict(Counter(labels).most_common()),
        "left_out_destinations": dropped,
        "municipalities": sorted({e.municipality for e in examples if e.municipality}),
        "date_range": [min(dates).isoformat(), max(dates).isoformat()] if dates else None,
        "params": {**_params(pipeline), "class_weight": params.get("class_weight", "balanced")},
        "weighted": weights is not None,
        "metrics": metrics or {},
    }
    log.info("router.model.trained", examples=len(examples), destinations=len(set(labels)))
    return TextModel(pipeline, metadata)


def _params(pipeline: Pipeline) -> dict[str, Any]:
    classifier = pipeline.named_steps["classifier"]
    return {
        "C": classifier.estimator.C,
        "calibration": classifier.method,
        "calibration_folds": classifier.cv.n_splits,
    }


def load(path: str | Path) -> TextModel:
    """Read a model written by `TextModel.save`, or raise ModelArtifactError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise ModelArtifactError(f"{path}: model file not found")
    try:
        payload = sio.load(path, trusted=TRUSTED_TYPES)
    except Exception as exc:  # noqa: BLE001 - any failure to read means one thing: unusable file
        raise ModelArtifactError(f"{path}: not a readable model artifact ({exc})") from exc
    if not isinstance(payload, dict) or payload.get("format") not in READABLE_FORMATS:
        raise ModelArtifactError(f"{path}: not a {FORMAT} artifact")
    try:
        _vocabularies_back(payload)  # artifacts written before they were kept apart hold none
        metadata = json.loads(payload["metadata"])
        parts = payload.get("incidents")
        incidents = None
        if parts is not None:
            threshold = float(metadata["incidents"]["threshold"])
            incidents = IncidentModel(**parts, threshold=threshold)
        model = TextModel(payload["pipeline"], metadata, incidents)
    except Exception as exc:  # noqa: BLE001 - same: a malformed payload is an unusable file
        raise ModelArtifactError(f"{path}: malformed model artifact ({exc})") from exc
    if metadata.get("sklearn_version") != sklearn.__version__:
        log.warning(
            "router.model.version_mismatch",
            path=str(path),
            trained_with=metadata.get("sklearn_version"),
            running=sklearn.__version__,
        )
    return model
