"""Historical tickets from a CSV export (e.g. TOPdesk) as labelled examples for the text model.

Columns are named by the caller. Rows that cannot be used (no label, no text, a group the
label map does not know, a date that cannot be read) are counted by reason and skipped:
an export of years of tickets always holds some, and one should not stop the import.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from router.domain.errors import InvalidInput
from router.routing.textmodel import Example

EXPORT_TIMEZONE = ZoneInfo("Europe/Amsterdam")  # exports give Dutch local times without a zone

DATE_FORMATS = (
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
)
SAMPLE_ROWS = 5  # row numbers kept per reason, to look them up in the export


class HistoryImportError(InvalidInput):
    """The file as a whole cannot be read (missing, or a named column is absent)."""


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    sample_rows: dict[str, list[int]] = field(default_factory=dict)  # reason -> line numbers
    per_destination: Counter[str] = field(default_factory=Counter)
    first_date: datetime | None = None
    last_date: datetime | None = None

    def skip(self, reason: str, line: int) -> None:
        self.skipped[reason] += 1
        rows = self.sample_rows.setdefault(reason, [])
        if len(rows) < SAMPLE_ROWS:
            rows.append(line)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "skipped": dict(self.skipped),
            "sample_rows": self.sample_rows,
            "per_destination": dict(self.per_destination.most_common()),
            "date_range": [self.first_date.isoformat(), self.last_date.isoformat()]
            if self.first_date and self.last_date
            else None,
        }


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=EXPORT_TIMEZONE)
    return moment.astimezone(UTC)


def parse_date(value: str) -> datetime:
    """ISO 8601 or the Dutch day-first forms exports use; ValueError if neither.

    Exports give Dutch local times without a zone; every date is returned aware, in UTC,
    so that all dates compare and the store takes them.
    """
    value = value.strip()
    try:
        return _utc(datetime.fromisoformat(value))
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return _utc(datetime.strptime(value, fmt))
        except ValueError:
            continue
    raise ValueError(f"unrecognised date {value!r}")


def parse_label_pairs(pairs: list[str]) -> dict[str, str]:
    """`["Applicatiebeheer=team-apps", ...]` as a mapping; the group name may hold spaces."""
    mapping = {}
    for pair in pairs:
        name, sep, key = pair.rpartition("=")
        if not sep or not name.strip() or not key.strip():
            raise ValueError(f"expected name=key, got {pair!r}")
        mapping[name.strip()] = key.strip()
    return mapping


def load_label_map(path: str | Path) -> dict[str, str]:
    """A group-name -> destination-key mapping from YAML (a mapping) or CSV (two columns)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise HistoryImportError(f"{path}: file not found") from None
    if path.suffix.lower() in {".yml", ".yaml"}:
        data = yaml.safe_load(text) or {}
        if not isinstance(data, dict):
            raise HistoryImportError(f"{path}: expected a mapping of group name to key")
        return {str(k).strip(): str(v).strip() for k, v in data.items()}
    rows = [r for r in csv.reader(text.splitlines(), _sniff(text)) if r and any(r)]
    if rows and len(rows[0]) >= 2 and rows[0][1].strip().lower() in {"key", "destination"}:
        rows = rows[1:]  # a header
    if any(len(r) < 2 for r in rows):
        raise HistoryImportError(f"{path}: every line needs a group name and a key")
    return {r[0].strip(): r[1].strip() for r in rows}


def _sniff(sample: str) -> type[csv.Dialect] | str:
    try:
        return csv.Sniffer().sniff(sample[:65536], delimiters=",;\t|")
    except csv.Error:
        return "excel"


def _lookup(label_map: dict[str, str]) -> Callable[[str], str | None]:
    folded = {k.casefold(): v for k, v in label_map.items()}
    return lambda name: label_map.get(name) or folded.get(name.casefold())


def read_csv(
    path: str | Path,
    text_cols: list[str],
    label_col: str,
    municipality_col: str | None = None,
    date_col: str | None = None,
    label_map: dict[str, str] | None = None,
    *,
    encoding: str = "utf-8-sig",
    delimiter: str | None = None,
) -> tuple[list[Example], ImportReport]:
    """Read labelled examples from a CSV export; bad rows are counted in the report, not fatal.

    The delimiter is sniffed (comma, semicolon, tab or bar) unless given. Text columns are
    joined with a newline. With a label map, the label column's group names are mapped to
    destination keys (exactly, else ignoring case) and unknown groups are skipped.
    """
    path = Path(path)
    report = ImportReport()
    examples: list[Example] = []
    lookup = _lookup(label_map) if label_map is not None else None
    try:
        handle = path.open(encoding=encoding, newline="")
    except FileNotFoundError:
        raise HistoryImportError(f"{path}: file not found") from None
    with handle:
        if delimiter is None:
            dialect = _sniff(handle.read(65536))
            handle.seek(0)
            reader = csv.DictReader(handle, dialect=dialect)
        else:
            reader = csv.DictReader(handle, delimiter=delimiter)
        needed = [*text_cols, label_col, municipality_col, date_col]
        missing = [c for c in needed if c and c not in (reader.fieldnames or [])]
        if missing:
            raise HistoryImportError(
                f"{path}: no column {', '.join(missing)} "
                f"(columns: {', '.join(reader.fieldnames or [])})"
            )
        for row in reader:
            report.rows += 1
            line = reader.line_num
            label = (row.get(label_col) or "").strip()
            text = "\n".join(p.strip() for c in text_cols if (p := row.get(c) or "").strip())
            if not label:
                report.skip("empty_label", line)
                continue
            if not text:
                report.skip("empty_text", line)
                continue
            if lookup is not None:
                mapped = lookup(label)
                if mapped is None:
                    report.skip("unknown_label", line)
                    continue
                label = mapped
            at = None
            raw_date = (row.get(date_col) or "").strip() if date_col else ""
            if raw_date:
                try:
                    at = parse_date(raw_date)
                except ValueError:
                    report.skip("bad_date", line)
                    continue
                report.first_date = min(filter(None, [report.first_date, at]))
                report.last_date = max(filter(None, [report.last_date, at]))
            municipality = (row.get(municipality_col) or "").strip() if municipality_col else ""
            examples.append(Example(text, municipality or None, label, at))
            report.per_destination[label] += 1
    report.imported = len(examples)
    return examples, report
