"""One report from the store: the working set is built in the database, every table is an
aggregation over it or over an index range of the store; then the temporary tables go."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from router.domain.org import Organisation
from router.report import facts
from router.report.figures_time import cost_table, resolution_tables, sla_tables, trend_table
from router.report.figures_work import (
    bot_table,
    portfolio_tables,
    regie_table,
    routing_tables,
    satisfaction_tables,
    volume_table,
)
from router.report.model import Cell, Report
from router.report.period import Period
from router.store.tables import DemoSeed


def build_report(
    session: Session,
    org: Organisation,
    period: Period,
    *,
    municipality: str | None = None,
    now: datetime,
) -> Report:
    """The report for the period: the whole collaboration's, or one municipality's only."""
    name = None
    if municipality is not None:
        municipality = org.municipality_key(municipality)
        name = org.municipality(municipality).name  # type: ignore[union-attr]
    ctx = facts.Context(session, org, period, municipality)
    facts.build(ctx)
    try:
        volume = volume_table(ctx)
        resolution = resolution_tables(ctx)
        trend = trend_table(ctx)
        sla = sla_tables(ctx)
        routing = routing_tables(ctx)
        bot = bot_table(ctx)
        tables = [
            volume, *resolution, trend, *sla, *routing, bot, regie_table(ctx),
            *satisfaction_tables(ctx), *portfolio_tables(ctx), cost_table(ctx),
        ]  # fmt: skip
    except BaseException:
        session.rollback()  # PostgreSQL: a failed statement ends the transaction, temp tables too
        raise
    facts.drop(ctx)
    report = Report(
        organisation=org.name,
        period=period,
        municipality=municipality,
        municipality_name=name,
        generated_at=now,
        tables=tables,
        demo=session.execute(select(col(DemoSeed.id)).limit(1)).first() is not None,
    )
    total = volume.row("Totaal")
    current = trend.rows[-1]
    automatic = routing[0].row("Automatisch gerouteerd (%)")["Waarde"]
    helped = bot.row("Vragen beantwoord zonder melding (antwoord hielp)")["Waarde"]
    report.headline = [
        ("Aangemeld", _text(total["Aangemeld"])),
        ("Opgelost", _text(total["Opgelost"])),
        ("Werkvoorraad einde periode", _text(total["Werkvoorraad einde"])),
        ("Mediaan doorlooptijd", f"{_text(current[3])} werkuren"),
        ("Binnen de SLA-norm", f"{_text(current[5])} %"),
        ("Automatisch gerouteerd", f"{_text(automatic)} %"),
        ("Vragen zonder melding beantwoord", _text(helped)),
    ]
    if municipality is not None:
        report.notes.append(
            f"Deze versie bevat alleen de cijfers van {name}. Het aandeel in de "
            f"kostenverdeling is het aandeel van {name} in het werk van de hele samenwerking."
        )
    return report


def _text(value: Cell) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)
