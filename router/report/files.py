"""The report on disk: one HTML page, a CSV per table and one XLSX workbook."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from router.report.model import Cell, Report, Table
from router.report.render import report_html

HTML_NAME, XLSX_NAME = "rapportage.html", "rapportage.xlsx"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(cell: Cell) -> Cell:
    """A text cell that a spreadsheet would take for a formula is kept as text."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def table_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([_safe(c) for c in row] for row in table.rows)
    return buffer.getvalue()


def workbook_bytes(report: Report) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None  # a new workbook has one sheet
    summary.title = "overzicht"
    summary.append([report.title])
    summary["A1"].font = Font(bold=True, size=13)
    summary.append([])
    for label, value in report.headline:
        summary.append([label, value])
    for note in report.all_notes:
        summary.append([note])
    summary.column_dimensions["A"].width = 40
    for table in report.tables:
        sheet = book.create_sheet(table.key[:31])
        sheet.append(table.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_safe(c) for c in row])
        sheet.freeze_panes = "B2"
        for index, name in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(
                10, min(40, len(name) + 2)
            )
        if table.note:
            sheet.append([])
            sheet.append([table.note])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_zip(report: Report) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in report.tables:
            archive.writestr(f"{table.key}.csv", table_csv(table).encode("utf-8"))
    return buffer.getvalue()


def write_report(report: Report, out: Path) -> list[Path]:
    """Write the HTML page, the CSVs and the workbook into `out`; the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / HTML_NAME, out / XLSX_NAME]
    written[0].write_text(report_html(report), encoding="utf-8")
    written[1].write_bytes(workbook_bytes(report))
    for table in report.tables:
        path = out / f"{table.key}.csv"
        path.write_text(table_csv(table), encoding="utf-8", newline="")
        written.append(path)
    return written
