"""What a report holds: tables of figures with Dutch headers, a few headline figures, and
notes on what the store cannot know. Renderers (HTML, CSV, XLSX) only read this."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from router.report.period import Period

Cell = str | int | float | None
DEMO_NOTE = "DEMODATA: deze cijfers komen uit een verzonnen geschiedenis (loket demo seed)."


@dataclass
class Table:
    key: str  # file name of its CSV, name of its sheet (short, ASCII)
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""
    section: str = ""

    def as_dicts(self) -> list[dict[str, Cell]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def row(self, first: Cell) -> dict[str, Cell]:
        """The row whose first cell is `first` (KeyError when there is none)."""
        for row in self.rows:
            if row[0] == first:
                return dict(zip(self.columns, row, strict=True))
        raise KeyError(first)


@dataclass
class Report:
    organisation: str
    period: Period
    municipality: str | None  # a coordinator's version: that municipality's figures only
    municipality_name: str | None
    generated_at: datetime
    headline: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    demo: bool = False

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    @property
    def all_notes(self) -> list[str]:
        """The notes, the demo warning first when the store holds demo data."""
        return [DEMO_NOTE, *self.notes] if self.demo else list(self.notes)

    @property
    def title(self) -> str:
        who = self.municipality_name or self.organisation
        return f"Weekrapportage {who}: {self.period.label}"
