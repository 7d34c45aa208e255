"""LanguageDetector: tags each message with a `language` entity ("nl" or "en").

The `language` slot follows the entity, and responses have English variations conditioned
on it, so an employee who writes English is answered in English. Short or mixed messages
("ok", "thanks") carry no entity, so the conversation keeps its language.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# Words that occur in one language and (almost) never in the other. IT words both languages
# use ("password", "laptop", "teams") are in neither list.
ENGLISH = frozenset(
    "the my i i'm im can't cannot don't doesn't won't isn't how what please want need you your "
    "are with to of for and from working broken there it this can do does have has would like "
    "talk speak person human someone report where when why who help thank thanks is was "
    "again any known outage outages forgot lost stolen clicked sent wrong keeps me our "
    # the way English is typed in a hurry: no apostrophes
    "cant dont doesnt wont isnt im ive screen blue just pretty".split()
)
DUTCH = frozenset(
    "ik je jij de het een mijn niet hoe wat kan wil met van op doet werkt graag bedankt ja nee "
    "geen er dat die naar voor bij mag moet heb hebt heeft kun kunt wordt hoi hallo melding "
    "storing doei dank waar wanneer wie praat spreken medewerker iemand toch maar ook nog al dit "
    "zijn was gaat loopt krijg kwijt alleen iedereen hele afdeling laat klopt wachtwoord "
    "vergeten zet stel ligt eruit dicht intrekken hoor welke".split()
)
_WORD = re.compile(r"[a-zà-ÿ']+")


def detect_language(text: str) -> Optional[str]:
    """ "en" or "nl" when the words say so clearly; None when unsure."""
    words = _WORD.findall(text.lower())
    english = sum(w in ENGLISH for w in words)
    dutch = sum(w in DUTCH for w in words)
    if english >= 2 and english > 2 * dutch:
        return "en"
    if dutch >= 1 and dutch >= english:
        return "nl"
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    """Adds {"entity": "language", "value": "nl" | "en"} to messages whose language is clear."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            language = detect_language(text)
            if language is None:
                continue
            entity = {
                "entity": "language", "value": language, "start": 0, "end": len(text),
                "confidence": 1.0, "extractor": self.__class__.__name__,
            }  # fmt: skip
            message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
