"""CatalogueMatcher: canonical application and municipality names, also for misspellings.

Trained from the catalogue's lookup tables and synonyms (data/nlu/catalogue.yml, generated
from the organisation file), so a new application in the organisation file is known after
retraining. It runs after the extractors and EntitySynonymMapper and:
- maps every `application` / `municipality` value to its canonical name, dropping values
  that match nothing in the catalogue (a model guess such as "scherm blijft" is not an app);
- finds names the extractors missed ("zaaksyteem", "youforse") by fuzzy matching the
  message's words against the catalogue, with a cutoff that keeps false matches rare.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rapidfuzz import fuzz, process
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

ENTITY_TYPES = ("application", "municipality")
# ratio("youforse", "youforce") = 87.5; ratio("officer", "office") = 92 is kept out by
# NOT_NAMES. Words shorter than MIN_CHARS ("team", "word") only match exactly.
FUZZY_CUTOFF = 86.0
MIN_CHARS = 6
NOT_NAMES = frozenset({"officer", "officers", "printed", "accounts", "schermen"})
_WORD = re.compile(r"[\w.&-]+", re.UNICODE)


def _ngrams(text: str, max_words: int = 3) -> List[Tuple[int, int, str]]:
    """(start, end, lowercased words) for every run of 1..max_words words."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    grams = []
    for n in range(max_words, 0, -1):
        for i in range(len(words) - n + 1):
            start, end = words[i][0], words[i + n - 1][1]
            grams.append((start, end, text[start:end].lower().strip(".")))
    return grams


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class CatalogueMatcher(GraphComponent, EntityExtractorMixin):
    """Canonical names for the catalogue entities, typo-tolerant."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"fuzzy_cutoff": FUZZY_CUTOFF, "min_chars": MIN_CHARS}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: Optional[Dict[Text, Dict[Text, Text]]] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        # {"application": {"k2b": "Key2Burgerzaken", ...}, "municipality": {...}}
        self._vocabulary = vocabulary or {kind: {} for kind in ENTITY_TYPES}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CatalogueMatcher":
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "CatalogueMatcher":
        try:
            with model_storage.read_from(resource) as directory:
                vocabulary = json.loads((directory / "vocabulary.json").read_text("utf-8"))
        except ValueError:
            vocabulary = None
        return cls(config, model_storage, resource, vocabulary)

    def train(self, training_data: TrainingData) -> Resource:
        synonyms = {k.lower(): v for k, v in training_data.entity_synonyms.items()}
        vocabulary: Dict[Text, Dict[Text, Text]] = {kind: {} for kind in ENTITY_TYPES}
        for table in training_data.lookup_tables:
            if table.get("name") in ENTITY_TYPES:
                for element in table.get("elements", []):
                    canonical = synonyms.get(element.lower(), element)
                    vocabulary[table["name"]][element.lower()] = canonical
        for kind in ENTITY_TYPES:
            canonicals = set(vocabulary[kind].values())
            for word, canonical in synonyms.items():
                if canonical in canonicals:
                    vocabulary[kind][word] = canonical
            for canonical in canonicals:
                vocabulary[kind][canonical.lower()] = canonical
        self._vocabulary = vocabulary
        with self._model_storage.write_to(self._resource) as directory:
            (directory / "vocabulary.json").write_text(json.dumps(vocabulary), "utf-8")
        return self._resource

    def canonical(self, kind: Text, value: Text) -> Optional[Text]:
        """The canonical name `value` stands for, or None."""
        known = self._vocabulary.get(kind, {})
        lowered = value.lower().strip()
        if lowered in known:
            return known[lowered]
        if len(lowered) < self._config["min_chars"] or lowered in NOT_NAMES:
            return None
        found = process.extractOne(
            lowered, list(known), scorer=fuzz.ratio, score_cutoff=self._config["fuzzy_cutoff"]
        )
        if found and found[0][:1] == lowered[:1]:
            return known[found[0]]
        return None

    def _resolve(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        kept: List[Dict[Text, Any]] = []
        for entity in message.get(ENTITIES, []):
            kind = entity.get("entity")
            if kind not in ENTITY_TYPES:
                kept.append(entity)
                continue
            name = self.canonical(kind, str(entity.get("value", "")))
            if name is None and isinstance(entity.get("start"), int):
                name = self.canonical(kind, text[entity["start"] : entity["end"]])
            if name is not None:
                kept.append({**entity, "value": name})
        covered = [
            (e["start"], e["end"])
            for e in kept
            if e.get("entity") in ENTITY_TYPES and isinstance(e.get("start"), int)
        ]
        for start, end, words in _ngrams(text):
            if any(s < end and start < e for s, e in covered):
                continue
            for kind in ENTITY_TYPES:
                name = self.canonical(kind, words)
                if name is not None:
                    kept.append({
                        "entity": kind, "value": name, "start": start, "end": end,
                        "confidence": 1.0, "extractor": self.__class__.__name__,
                    })  # fmt: skip
                    covered.append((start, end))
                    break
        message.set(ENTITIES, kept, add_to_output=True)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._resolve(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
