"""Importing historical tickets: bad rows are counted by reason, the rest become examples."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from router.routing.history_import import (
    HistoryImportError,
    load_label_map,
    parse_label_pairs,
    read_csv,
)

EXPORT = """\
Korte omschrijving;Verzoek;Operatorgroep;Gemeente;Aangemeld
Printer kapot;De printer op 2 geeft papierstoring;Werkplekbeheer;DYK;03-02-2024 09:15
Wachtwoord;Kan niet inloggen;servicedesk;ZEE;2024-02-04T10:00:00+01:00
Geen groep;Tekst;;DYK;03-02-2024
;;Werkplekbeheer;DYK;03-02-2024
Onbekend;Groep die niet in de map staat;Facilitair;DYK;03-02-2024
Datum;Onleesbare datum;Werkplekbeheer;DYK;gisteren
Alleen titel;;Werkplekbeheer;;
"""


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "topdesk.csv"
    path.write_text(EXPORT, encoding="utf-8")
    return path


def test_bad_rows_are_counted_by_reason(export):
    examples, report = read_csv(
        export,
        ["Korte omschrijving", "Verzoek"],
        "Operatorgroep",
        municipality_col="Gemeente",
        date_col="Aangemeld",
        label_map={"Werkplekbeheer": "team-werkplek", "Servicedesk": "team-servicedesk"},
    )
    assert report.rows == 7
    assert report.imported == len(examples) == 3
    assert report.skipped == {"empty_label": 1, "empty_text": 1, "unknown_label": 1, "bad_date": 1}
    assert report.sample_rows["bad_date"] == [7]
    first, second, third = examples
    assert first.text == "Printer kapot\nDe printer op 2 geeft papierstoring"
    assert first.destination == "team-werkplek"
    assert first.municipality == "DYK"
    assert first.at == datetime(2024, 2, 3, 8, 15, tzinfo=UTC)  # 09:15 in Amsterdam
    assert second.destination == "team-servicedesk"  # the map is matched ignoring case
    assert second.at == datetime(2024, 2, 4, 9, 0, tzinfo=UTC)  # a zoned time becomes UTC
    assert third.municipality is None and third.at is None
    assert report.as_dict()["date_range"] == [
        "2024-02-03T08:15:00+00:00",
        "2024-02-04T09:00:00+00:00",
    ]
    assert report.as_dict()["per_destination"] == {"team-werkplek": 2, "team-servicedesk": 1}


def test_without_a_map_the_group_names_are_the_labels(export):
    examples, report = read_csv(export, ["Korte omschrijving"], "Operatorgroep")
    assert {e.destination for e in examples} == {"Werkplekbeheer", "servicedesk", "Facilitair"}
    assert report.skipped == {"empty_label": 1, "empty_text": 1}


def test_missing_column_or_file_is_one_clear_error(export, tmp_path):
    with pytest.raises(HistoryImportError, match="no column Categorie"):
        read_csv(export, ["Verzoek"], "Categorie")
    with pytest.raises(HistoryImportError, match="nergens.csv: file not found"):
        read_csv(tmp_path / "nergens.csv", ["Verzoek"], "Operatorgroep")


def test_label_maps(tmp_path):
    assert parse_label_pairs(["Applicatiebeheer Zaak=team-apps", "GBA=leverancier-x"]) == {
        "Applicatiebeheer Zaak": "team-apps",
        "GBA": "leverancier-x",
    }
    with pytest.raises(ValueError, match="name=key"):
        parse_label_pairs(["zonder-is-teken"])
    yml = tmp_path / "map.yaml"
    yml.write_text("Werkplekbeheer: team-werkplek\nServicedesk: team-servicedesk\n")
    assert load_label_map(yml) == {
        "Werkplekbeheer": "team-werkplek",
        "Servicedesk": "team-servicedesk",
    }
    table = tmp_path / "map.csv"
    table.write_text("group;key\nWerkplekbeheer;team-werkplek\n")
    assert load_label_map(table) == {"Werkplekbeheer": "team-werkplek"}
