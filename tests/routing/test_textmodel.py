"""The text model: municipality matters, explanations are given, artifacts round-trip safely."""

from __future__ import annotations

import json
import random
import zipfile
from datetime import datetime

import numpy as np
import pytest
import skops.io as sio

from router.routing.textmodel import (
    MAX_TEXT,
    Example,
    ModelArtifactError,
    as_table,
    load,
    rows_to_table,
    train,
)

TOPICS = {
    "werkplek": "printer scherm toetsenbord laptop muis docking kabel",
    "accounts": "wachtwoord inloggen account vergrendeld toegang rechten",
    "telefonie": "telefoon mobiel simkaart doorschakelen voicemail toestel",
}
FILLER = "graag hulp vandaag collega morgen werkt niet meer sinds bericht"


def _examples(seed: int = 0) -> list[Example]:
    rng = random.Random(seed)  # noqa: S311 - made-up tickets, not secrets
    made = []
    for destination, words in TOPICS.items():
        for i in range(20):
            text = " ".join(rng.choices(words.split(), k=4) + rng.choices(FILLER.split(), k=3))
            made.append(
                Example(text, rng.choice(["DYK", "ZEE"]), destination, datetime(2024, 1, 1 + i))
            )
    # The same complaint goes to a different supplier in each municipality.
    for _ in range(15):
        text = " ".join(["zaaksysteem", "storing"] + rng.choices(FILLER.split(), k=3))
        made.append(Example(text, "DYK", "leverancier-a", None))
        made.append(Example(text, "ZEE", "leverancier-b", None))
    return made


@pytest.fixture(scope="module")
def model():
    return train(_examples())


def test_municipality_decides_when_the_text_is_the_same(model):
    text = "zaaksysteem storing werkt niet"
    assert model.predict(text, "DYK").destination == "leverancier-a"
    assert model.predict(text, "ZEE").destination == "leverancier-b"


def test_prediction_has_top3_and_reasons(model):
    prediction = model.predict("mijn printer en toetsenbord doen het niet", "DYK")
    assert prediction.destination == "werkplek"
    assert [d for d, _ in prediction.top3][0] == "werkplek"
    assert len(prediction.top3) == 3
    probabilities = [p for _, p in prediction.top3]
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0 < prediction.confidence == probabilities[0] <= 1
    assert prediction.reasons
    assert set(prediction.reasons) <= {
        "printer",
        "toetsenbord",
        "doen",
        "het",
        "niet",
        "mijn",
        "printer en",
        "en toetsenbord",
        "doen het",
        "het niet",
    }
    assert "printer" in prediction.reasons or "toetsenbord" in prediction.reasons


def test_unknown_or_missing_municipality_still_predicts(model):
    assert model.predict("wachtwoord vergeten account vergrendeld", None).destination == "accounts"
    assert model.predict("wachtwoord vergeten account vergrendeld", "XYZ").destination == "accounts"


def test_fast_features_equal_the_pipeline(model):
    texts = ["printer kapot", "zaaksysteem storing", ""]
    municipalities = ["DYK", None, "XYZ"]
    fast = model.features(texts, municipalities)
    slow = model.pipeline.named_steps["features"].transform(as_table(texts, municipalities))
    assert (fast != slow).nnz == 0
    batch = model.predict_batch(texts, municipalities)
    expected = model.pipeline.predict_proba(as_table(texts, municipalities)).max(axis=1)
    assert np.allclose([p.confidence for p in batch], expected)


def test_rows_to_table_takes_dicts():
    table = rows_to_table([{"text": "a", "municipality": "DYK"}, {"text": "b"}])
    assert table.tolist() == [["a", "DYK"], ["b", ""]]


def test_metadata_describes_the_training(model):
    meta = model.metadata
    assert meta["examples"] == len(_examples())
    assert meta["per_destination"]["werkplek"] == 20
    assert meta["date_range"] == ["2024-01-01T00:00:00", "2024-01-20T00:00:00"]
    assert meta["municipalities"] == ["DYK", "ZEE"]
    assert meta["sklearn_version"]
    assert meta["params"]["calibration"] == "temperature"


def test_single_example_destination_is_left_out_and_weights_are_used():
    examples = _examples() + [Example("iets heel anders", "DYK", "eenling", None)]
    model = train(examples, weights=[1.0] * len(examples))
    assert model.metadata["left_out_destinations"] == ["eenling"]
    assert "eenling" not in model.classes


def test_save_and_load_give_the_same_predictions(model, tmp_path):
    path = tmp_path / "model.skops"
    expected = model.predict("printer kapot", "DYK")
    model.save(path)
    loaded = load(path)
    texts = ["printer kapot", "zaaksysteem storing", "voicemail doorschakelen"]
    for municipality in ["DYK", "ZEE", None]:
        before = model.predict_batch(texts, [municipality] * 3)
        after = loaded.predict_batch(texts, [municipality] * 3)
        assert after == before
        assert [p.reasons for p in after] == [p.reasons for p in before]
    assert loaded.metadata == model.metadata
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    # the model that was saved still works: its vocabularies were only lent to the file
    assert model.predict("printer kapot", "DYK") == expected


def test_a_version_saved_before_the_vocabularies_were_kept_apart_still_loads(model, tmp_path):
    """Older versions hold their vocabularies inside the vectorizers: rolling back to one works."""
    path = tmp_path / "older.skops"
    older = "loket-textmodel/1"
    payload = {"format": older, "metadata": json.dumps(model.metadata), "pipeline": model.pipeline}
    sio.dump(payload, path)
    loaded = load(path)
    texts = ["printer kapot", "zaaksysteem storing", "voicemail doorschakelen"]
    assert loaded.predict_batch(texts) == model.predict_batch(texts)


def test_missing_artifact(tmp_path):
    with pytest.raises(ModelArtifactError, match="model.skops: model file not found"):
        load(tmp_path / "model.skops")


def test_corrupt_artifact(model, tmp_path):
    path = tmp_path / "model.skops"
    path.write_bytes(b"not a zip file at all")
    with pytest.raises(ModelArtifactError, match="model.skops: not a readable model artifact"):
        load(path)
    model.save(path)
    truncated = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(truncated)
    with pytest.raises(ModelArtifactError, match="model.skops"):
        load(path)


def test_artifact_of_another_kind_is_refused(tmp_path):
    path = tmp_path / "other.skops"
    sio.dump({"format": "something-else", "pipeline": None}, path)
    with pytest.raises(ModelArtifactError, match="other.skops: not a loket-textmodel"):
        load(path)
    assert zipfile.is_zipfile(path)


def test_untrusted_types_are_refused(tmp_path):
    """A file that would call an arbitrary function is not loaded, whatever it claims to be."""
    import os

    from sklearn.preprocessing import FunctionTransformer

    path = tmp_path / "model.skops"
    payload = {"format": "loket-textmodel/1", "pipeline": FunctionTransformer(os.system)}
    sio.dump(payload | {"metadata": "{}"}, path)
    with pytest.raises(ModelArtifactError, match="not a readable model artifact.*system"):
        load(path)


def test_two_destinations_explain_both():
    examples = [e for e in _examples() if e.destination in {"werkplek", "accounts"}]
    model = train(examples)
    for text, wanted in [("printer kapot", "werkplek"), ("wachtwoord vergeten", "accounts")]:
        prediction = model.predict(text, "DYK")
        assert prediction.destination == wanted
        assert len(prediction.top3) == 2
        assert prediction.reasons[0] in text


def test_one_ticket_scored_fast_gives_the_pipelines_answer(model):
    assert model.scorer is not None
    texts = ["printer kapot", "zaaksysteem storing", "", "onbekende woorden xyz", "Printer KAPOT!!"]
    # words split by any white space, twice (each word's n-grams are cached), and accents
    texts += ["Printer\u00a0KAPOT\n\n  zaak-systeem\tstoring ", "printer kapot, printer Kapót"]
    for municipality in ["DYK", " ZEE ", None, "XYZ"]:
        expected = model.pipeline.predict_proba(as_table(texts, [municipality] * len(texts)))
        slow = model.predict_batch(texts, [municipality] * len(texts))
        for text, probabilities, batch in zip(texts, expected, slow, strict=True):
            fast = model.predict(text, municipality)
            assert fast.destination == model.classes[probabilities.argmax()]
            assert np.isclose(fast.confidence, probabilities.max(), rtol=1e-9)
            assert [d for d, _ in fast.top3] == [d for d, _ in batch.top3]
            assert np.allclose([p for _, p in fast.top3], [p for _, p in batch.top3], rtol=1e-9)
            assert fast.reasons == batch.reasons


def test_two_destination_model_scores_fast_like_the_pipeline():
    examples = [e for e in _examples() if e.destination in ("werkplek", "accounts")]
    two = train(examples)
    assert two.scorer is not None and len(two.classes) == 2
    for text in ["printer kapot", "wachtwoord vergeten", "beide: printer en wachtwoord"]:
        expected = two.pipeline.predict_proba(as_table([text], ["DYK"]))[0]
        got = dict(two.predict(text, "DYK").top3)
        assert np.allclose([got[c] for c in two.classes], expected, rtol=1e-9)


def test_a_long_mail_thread_is_routed_by_its_opening(model):
    """The model reads the first MAX_TEXT characters, fast and batch alike: a pasted thread
    after the question does not move it (and cannot make a route slow)."""
    opening = "mijn printer en toetsenbord doen het niet " * 20
    assert len(opening) < MAX_TEXT
    thread = opening.ljust(MAX_TEXT) + " wachtwoord account vergrendeld" * 200
    fast, batch = model.predict(thread, "DYK"), model.predict_batch([thread], ["DYK"])[0]
    assert fast.destination == batch.destination == "werkplek"
    assert np.isclose(fast.confidence, model.predict(opening, "DYK").confidence, rtol=1e-9)
