"""UnknownWordsGuard: a message of several words none of which Loket has ever seen
("qwerty zxcv asdf") is not understood, however confident the classifier is.

Trained on the words of the training examples; a word counts as known when it is close to
one of them (typos stay known). Such a message gets intent confidence 0, so the
FallbackClassifier after it turns it into nlu_fallback.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Text

from rapidfuzz import fuzz, process
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_WORDS = 2
KNOWN_SIMILARITY = 80.0


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class UnknownWordsGuard(GraphComponent):
    """Zeroes the intent confidence of messages made only of unknown words."""

    def __init__(
        self, model_storage: ModelStorage, resource: Resource, words: Optional[List[Text]] = None
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._words = set(words or [])
        self._word_list = sorted(self._words)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "UnknownWordsGuard":
        return cls(model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "UnknownWordsGuard":
        try:
            with model_storage.read_from(resource) as directory:
                words = json.loads((directory / "words.json").read_text("utf-8"))
        except ValueError:
            words = None
        return cls(model_storage, resource, words)

    def train(self, training_data: TrainingData) -> Resource:
        words = {w.lower() for m in training_data.training_examples
                 for w in _WORD.findall(m.get(TEXT) or "")}  # fmt: skip
        words |= {w.lower() for table in training_data.lookup_tables
                  for element in table.get("elements", [])
                  for w in _WORD.findall(element)}  # fmt: skip
        with self._model_storage.write_to(self._resource) as directory:
            (directory / "words.json").write_text(json.dumps(sorted(words)), "utf-8")
        self._words, self._word_list = words, sorted(words)
        return self._resource

    def _known(self, word: str) -> bool:
        if word in self._words:
            return True
        return process.extractOne(
            word, self._word_list, scorer=fuzz.ratio, score_cutoff=KNOWN_SIMILARITY
        ) is not None

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            words = [w.lower() for w in _WORD.findall(message.get(TEXT) or "")]
            intent = message.get(INTENT)
            if len(words) < MIN_WORDS or not intent or not self._words:
                continue
            if not any(self._known(w) for w in words):
                message.set(INTENT, {**intent, "confidence": 0.0}, add_to_output=True)
        return messages
