"""The report as one self-contained HTML page (inline CSS and SVG charts), readable on a
phone and printable; every value is escaped by jinja2's autoescape."""

from __future__ import annotations

import base64
from pathlib import Path

import jinja2
from markupsafe import Markup

from router.report.charts import charts
from router.report.model import Cell, Report

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # names come from the organisation file and the store: escape all
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["nl"] = dutch_number
    return env


def dutch_number(value: Cell) -> str:
    """1234.5 -> '1.234,5'; None -> '–'."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        text = f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:,.0f}"
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    return str(value)


def _context(report: Report, inline: bool = True) -> dict[str, object]:
    """Charts inline as SVG (a file), or as data-URI images: a page under a Content Security
    Policy without inline styles still shows their colours that way."""
    drawn = charts(report)
    if inline:
        svg = {name: Markup(markup) for name, markup in drawn.items()}  # noqa: S704 - our own matplotlib output, text drawn as paths
    else:
        svg = {
            name: Markup('<img alt="" src="data:image/svg+xml;base64,{}">').format(
                base64.b64encode(markup.encode("utf-8")).decode("ascii")
            )
            for name, markup in drawn.items()
        }
    sections: dict[str, list[object]] = {}
    for table in report.tables:
        sections.setdefault(table.section, []).append(table)
    return {"report": report, "charts": svg, "sections": sections}


def body_html(report: Report) -> Markup:
    """The report's content without page chrome: for the staff workspace's page."""
    html = _environment().get_template("_body.html").render(**_context(report, inline=False))
    return Markup(html)  # noqa: S704 - autoescaped template output


def stylesheet() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def report_html(report: Report) -> str:
    """The whole page, with its style inline: a file that opens anywhere, also offline."""
    env = _environment()
    return env.get_template("report.html").render(style=Markup(stylesheet()), **_context(report))  # noqa: S704 - our own stylesheet
