"""The report's charts, drawn with matplotlib as SVG to put inline in the HTML.

Text is drawn as paths (svg.fonttype "path"), so no label reaches the document as markup;
a fixed hash salt and no date make the same figures give the same SVG.
"""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")  # no display: files only (before anything draws)

from matplotlib.figure import Figure  # noqa: E402 - after the backend is chosen

from router.report.model import Report  # noqa: E402

BLUE, GREEN, GREY, RED = "#1f5f99", "#2e8540", "#9aa5b1", "#b3261e"
_PREAMBLE = re.compile(r"^.*?(?=<svg)", re.DOTALL)


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "loket", "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return _PREAMBLE.sub("", buffer.getvalue(), count=1)


def _figure(height: float = 3.0) -> Figure:
    figure = Figure(figsize=(7.0, height), dpi=100)
    figure.set_layout_engine("constrained")
    return figure


def trend_chart(report: Report) -> str:
    rows = report.table("trend").rows
    labels = [str(r[0]).split("-W")[-1] if "-W" in str(r[0]) else str(r[0])[:5] for r in rows]
    figure = _figure()
    axes = figure.add_subplot()
    x = range(len(rows))
    axes.bar([i - 0.2 for i in x], [int(r[1] or 0) for r in rows], 0.4, color=GREY,
             label="aangemeld")  # fmt: skip
    axes.bar([i + 0.2 for i in x], [int(r[2] or 0) for r in rows], 0.4, color=BLUE,
             label="opgelost")  # fmt: skip
    axes.set_xticks(list(x), labels)
    axes.set_xlabel("week" if "-W" in str(rows[0][0]) else "periode")
    axes.set_ylabel("meldingen")
    right = axes.twinx()
    medians = [float(r[3]) if r[3] is not None else float("nan") for r in rows]
    right.plot(list(x), medians, color=RED, marker="o", label="mediaan werkuren")
    right.set_ylabel("mediaan doorlooptijd (werkuren)")
    right.set_ylim(bottom=0)
    handles = axes.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    figure.legend(handles=handles, loc="outside upper center", ncols=3, frameon=False)
    return _svg(figure)


def sla_chart(report: Report) -> str:
    rows = report.table("sla_prioriteit").rows
    figure = _figure(2.4)
    axes = figure.add_subplot()
    shares = [float(r[4]) if r[4] is not None else 0.0 for r in rows]
    colors = [GREEN if s >= 90 else (BLUE if s >= 75 else RED) for s in shares]
    axes.bar([str(r[0]) for r in rows], shares, color=colors)
    axes.set_ylim(0, 100)
    axes.set_ylabel("binnen norm (%)")
    for i, r in enumerate(rows):
        axes.annotate(
            f"n={r[2]}", (i, 2), ha="center", color="white" if shares[i] > 10 else "black"
        )
    return _svg(figure)


def destination_chart(report: Report) -> str:
    rows = [r for r in report.table("doorlooptijd_bestemming").rows if r[2] is not None]
    rows.sort(key=lambda r: float(r[2] or 0))
    figure = _figure(max(1.6, 0.32 * len(rows) + 0.8))
    axes = figure.add_subplot()
    names = [str(r[0]) for r in rows]
    axes.barh(names, [float(r[2] or 0) for r in rows], color=BLUE, label="mediaan")
    axes.scatter([float(r[4] or 0) for r in rows], names, color=RED, zorder=3, label="p90")
    axes.set_xlabel("werkuren (zonder wachten op de melder)")
    axes.legend(loc="lower right", frameon=False)
    return _svg(figure)


def charts(report: Report) -> dict[str, str]:
    """Every chart of the report as an SVG document fragment, by name."""
    return {
        "trend": trend_chart(report),
        "sla": sla_chart(report),
        "destinations": destination_chart(report),
    }
