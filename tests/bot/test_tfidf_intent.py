"""TfidfIntentClassifier: trains on Rasa training data, persists through the ModelStorage
(skops, allowlisted types only) and, loaded again, sets intent and intent_ranking."""

from __future__ import annotations

from pathlib import Path

import pytest
import skops.io as sio
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from bot.components.tfidf_intent import MODEL_FILE, TRUSTED_TYPES, TfidfIntentClassifier

DATA = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hoi
    - goedemorgen
    - hallo daar
    - hey
- intent: report_incident
  examples: |
    - mijn printer doet het niet
    - outlook start niet op
    - citrix geeft een foutmelding
    - de vpn valt steeds weg
- intent: request_service
  examples: |
    - ik heb toegang nodig tot de g-schijf
    - kan ik een nieuwe laptop krijgen
    - graag een extra scherm
    - ik wil een account aanvragen voor een nieuwe collega
"""


def _classifier(tmp_path: Path, load: bool) -> TfidfIntentClassifier:
    """Trained into tmp_path/storage, or loaded from there."""
    (tmp_path / "storage").mkdir(exist_ok=True)
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("tfidf_intent")
    config = TfidfIntentClassifier.get_default_config()
    context = ExecutionContext(None)  # type: ignore[arg-type]
    if load:
        return TfidfIntentClassifier.load(config, storage, resource, context)
    classifier = TfidfIntentClassifier.create(config, storage, resource, context)
    classifier.train(RasaYAMLReader().reads(DATA))
    return classifier


@pytest.mark.parametrize("load", [False, True])
def test_sets_intent_and_ranking(tmp_path: Path, load: bool) -> None:
    classifier = _classifier(tmp_path, load=False)
    if load:
        classifier = _classifier(tmp_path, load=True)
    message = Message(data={"text": "printr doet het nie"})
    classifier.process([message])
    intent = message.get("intent")
    ranking = message.get("intent_ranking")
    assert intent["name"] == "report_incident"
    assert 0.0 < intent["confidence"] <= 1.0
    assert ranking[0] == intent
    assert {r["name"] for r in ranking} == {"greet", "report_incident", "request_service"}
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert [r["confidence"] for r in ranking] == sorted(
        (r["confidence"] for r in ranking), reverse=True
    )


def test_persisted_file_holds_only_allowlisted_types(tmp_path: Path) -> None:
    _classifier(tmp_path, load=False)
    files = list((tmp_path / "storage").rglob(MODEL_FILE))
    assert len(files) == 1
    assert set(sio.get_untrusted_types(file=files[0])) <= set(TRUSTED_TYPES)


def test_message_without_text_is_left_alone(tmp_path: Path) -> None:
    classifier = _classifier(tmp_path, load=False)
    message = Message(data={"text": ""})
    classifier.process([message])
    assert message.get("intent") is None
