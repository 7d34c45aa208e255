"""A new application in the organisation file is known to the bot after retraining.

The organisation file is turned into NLU data by the service's own command (`loket org
nlu`), and the bot's CatalogueMatcher is trained on it exactly as `rasa train` does.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from bot.components.fuzzy_catalogue import CatalogueMatcher

ROOT = Path(__file__).resolve().parents[2]
LOKET = ROOT / ".venv" / "bin" / "loket"


def _trained_matcher(org_file: Path, tmp: Path) -> CatalogueMatcher:
    (tmp / "storage").mkdir(parents=True)
    catalogue = tmp / "catalogue.yml"
    subprocess.run(
        [str(LOKET), "org", "nlu", str(org_file), "--out", str(catalogue)],
        check=True,
        capture_output=True,
    )
    data = RasaYAMLReader().read(catalogue)
    storage = LocalModelStorage(tmp / "storage")
    matcher = CatalogueMatcher.create(
        CatalogueMatcher.get_default_config(),
        storage,
        Resource("catalogue_matcher"),
        ExecutionContext(None),
    )
    matcher.train(data)
    return matcher


def _applications(matcher: CatalogueMatcher, text: str) -> list[str]:
    message = Message(data={"text": text})
    matcher.process([message])
    return [e["value"] for e in message.get("entities", []) if e["entity"] == "application"]


@pytest.fixture
def new_org(tmp_path) -> Path:
    raw = yaml.safe_load((ROOT / "org" / "de-delta.yaml").read_text(encoding="utf-8"))
    # A collaboration adding an application of a new domain adds that domain too.
    raw["domains"].append(
        {"name": "parkeren", "description": "parkeerbeheer", "terms": ["parkeerautomaat"]}
    )
    raw["applications"].append(
        {
            "name": "ParkeerWijzer",
            "domain": "parkeren",
            "synonyms": ["pw parkeren"],
            "routes": {"DYK": "roxit"},
        }
    )
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_an_application_added_to_the_org_file_is_recognised_after_retraining(tmp_path, new_org):
    text = "parkeerwijzer geeft een foutmelding bij een vergunning"
    before = _trained_matcher(ROOT / "org" / "de-delta.yaml", tmp_path / "before")
    assert _applications(before, text) == []
    after = _trained_matcher(new_org, tmp_path / "after")
    assert _applications(after, text) == ["ParkeerWijzer"]
    assert _applications(after, "pw parkeren doet raar") == ["ParkeerWijzer"]
    assert _applications(after, "parkeerwyzer hangt") == ["ParkeerWijzer"]  # a typo, fuzzily
    assert _applications(after, "youforse laat niets zien") == ["Youforce"]
