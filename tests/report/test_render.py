"""The report as files: a self-contained HTML page that escapes what it shows, a CSV per
table and one workbook with a sheet per table."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook
from sqlmodel import Session

from router.domain.vocabulary import RoutedHow, Status, TicketType
from router.report.files import csv_zip, write_report
from router.report.history import History, insert_histories
from router.report.render import dutch_number, report_html
from tests.report.history import at

HOSTILE = '<img src=x onerror="alert(1)">'


def test_html_is_self_contained_with_inline_charts(make_report):
    html = report_html(make_report())
    assert html.startswith("<!doctype html>") and 'name="viewport"' in html
    assert html.count("<svg") == 3  # trend, SLA per priority, per destination
    assert "<script" not in html and "<link" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from elsewhere
    assert "@media print" in html
    assert "Weekrapportage ICT-samenwerking De Delta: week 18 (27-04-2026 t/m 03-05-2026)" in html
    assert "Kostenverdeling: aandeel in het regiewerk" in html
    assert "34,6" in html  # Dutch decimal comma


def test_every_value_is_escaped(engine, org, seeded, make_report):
    with Session(engine) as session:
        insert_histories(session, org, [
            History("DYK", TicketType.incident, "P3", "werkplek", RoutedHow.model, at(28, 9),
                    "x", application=HOSTILE).status(at(28, 10), Status.resolved)
        ], reporter="test")  # fmt: skip
        session.commit()
    html = report_html(make_report())
    assert HOSTILE not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


def test_csv_and_workbook_hold_every_table(make_report, tmp_path):
    report = make_report()
    written = write_report(report, tmp_path)
    assert {p.name for p in written} >= {"rapportage.html", "rapportage.xlsx", "volume.csv"}
    with (tmp_path / "kostenverdeling.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0] == {"Gemeente": "Gemeente Dijkstede", "Opgeloste meldingen": "3",
                       "Werkeenheden": "11.88", "Aandeel (%)": "34.6"}  # fmt: skip
    book = load_workbook(tmp_path / "rapportage.xlsx")
    assert book.sheetnames == ["overzicht", *(t.key for t in report.tables)]
    sheet = book["doorlooptijd_bestemming"]
    header = [c.value for c in sheet[1]]
    werkplek = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Werkplekbeheer")
    assert dict(zip(header, werkplek, strict=True))["P90 werkuren"] == 12.2
    names = set(__import__("zipfile").ZipFile(io.BytesIO(csv_zip(report))).namelist())
    assert names == {f"{t.key}.csv" for t in report.tables}


def test_dutch_numbers():
    assert [dutch_number(v) for v in (None, 3, 1234, 5.5, 1234.25, 12.0)] == [
        "–", "3", "1.234", "5,5", "1.234,25", "12",
    ]  # fmt: skip
