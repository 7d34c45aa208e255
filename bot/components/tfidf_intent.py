"""TfidfIntentClassifier: the intent of a message from TF-IDF n-grams and a linear SVM.

Word uni- and bigrams plus character n-grams within words (2-5, so that typos, missing
spaces and Dutch compounds still share features) feed a LinearSVC; sigmoid calibration over
internal folds (CalibratedClassifierCV) turns its decision values into probabilities, so
that the FallbackClassifier threshold means "how likely is this intent". On Loket's short,
informal messages this generalises better than DIET's intent head (see README, Measured),
and trains in seconds. DIET keeps extracting entities; the ResponseSelector still picks the
faq/<topic>.

The fitted pipeline is persisted with the model through Rasa's ModelStorage in skops format
and loaded with an explicit allowlist of scikit-learn and numpy types (no pickle).
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

logger = logging.getLogger(__name__)

MODEL_FILE = "tfidf_intent.skops"
# Single-letter words count too ("m 123", "u", "k2b" splits no further).
WORD_PATTERN = r"(?u)\b\w+\b"

# Everything a fitted pipeline consists of; anything else in the file refuses to load.
TRUSTED_TYPES = [
    "sklearn.pipeline.Pipeline",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.svm._classes.LinearSVC",
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.preprocessing._label.LabelEncoder",
    "sklearn.preprocessing._label.LabelBinarizer",
    "builtins.dict",
    "builtins.list",
    "builtins.tuple",
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "numpy.float64",
    "numpy.int64",
    "numpy.dtype",
    "numpy.ndarray",
    # TfidfTransformer keeps its idf weights as a sparse diagonal matrix.
    "scipy.sparse._csr.csr_matrix",
]


def build_pipeline(config: Dict[Text, Any], min_class_size: int) -> Pipeline:
    """The untrained vectorisers and classifier for `config`."""
    word_range = tuple(config["word_ngram_range"])
    char_range = tuple(config["char_ngram_range"])
    features = FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=word_range, sublinear_tf=True,
                                 strip_accents="unicode", lowercase=True,
                                 token_pattern=WORD_PATTERN)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=char_range, sublinear_tf=True,
                                 strip_accents="unicode", lowercase=True)),
    ])
    svm = LinearSVC(C=config["C"], class_weight="balanced", random_state=0)
    folds = min(int(config["calibration_folds"]), min_class_size)
    if folds < 2:
        raise ValueError(
            "TfidfIntentClassifier needs at least two examples of every intent "
            f"(calibration over {config['calibration_folds']} folds)"
        )
    classifier = CalibratedClassifierCV(
        svm, method="sigmoid", cv=StratifiedKFold(folds, shuffle=True, random_state=0)
    )
    return Pipeline([("features", features), ("classifier", classifier)])


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TfidfIntentClassifier(GraphComponent):
    """Sets `intent` and `intent_ranking` from a calibrated TF-IDF + LinearSVC model."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "word_ngram_range": [1, 2],
            "char_ngram_range": [2, 5],
            "C": 1.0,
            "calibration_folds": 3,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        pipeline: Optional[Any] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._pipeline = pipeline

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TfidfIntentClassifier":
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "TfidfIntentClassifier":
        import skops.io as sio

        pipeline = None
        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
                if untrusted:
                    raise ValueError(f"untrusted types in {MODEL_FILE}: {sorted(untrusted)}")
                pipeline = sio.load(path, trusted=TRUSTED_TYPES)
        except ValueError as error:
            # Rasa raises ValueError for a resource that was never written (no intents).
            logger.warning("TfidfIntentClassifier not loaded: %s", error)
        return cls(config, model_storage, resource, pipeline)

    def train(self, training_data: TrainingData) -> Resource:
        import skops.io as sio

        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        # An array: CalibratedClassifierCV counts the examples per class with `y == label`.
        labels = np.array([m.get(INTENT) for m in examples])
        counts = Counter(labels.tolist())
        if len(counts) < 2:
            logger.warning("TfidfIntentClassifier: fewer than two intents, nothing trained")
            return self._resource
        pipeline = build_pipeline(self._config, min(counts.values()))
        pipeline.fit([m.get(TEXT) for m in examples], labels)
        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(pipeline, directory / MODEL_FILE)
        self._pipeline = pipeline
        return self._resource

    def rank(self, texts: List[Text]) -> List[List[Dict[Text, Any]]]:
        """Per text, every intent with its probability, most likely first."""
        if self._pipeline is None or not texts:
            return [[] for _ in texts]
        probabilities = self._pipeline.predict_proba(texts)
        classes = self._pipeline.classes_
        rankings = []
        for row in probabilities:
            order = np.argsort(-row)[: self._config["ranking_length"]]
            rankings.append(
                [{"name": str(classes[i]), "confidence": float(row[i])} for i in order]
            )
        return rankings

    def process(self, messages: List[Message]) -> List[Message]:
        texts = [m.get(TEXT) or "" for m in messages]
        indices = [i for i, text in enumerate(texts) if text.strip()]
        rankings = self.rank([texts[i] for i in indices])
        for i, ranking in zip(indices, rankings, strict=True):
            if not ranking:
                continue
            messages[i].set(INTENT, ranking[0], add_to_output=True)
            messages[i].set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
