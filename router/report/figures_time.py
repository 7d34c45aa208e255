"""Figures on time: resolution times per group, the eight-period trend, SLA shares, open
breaches, data breaches against their 72 hours, and the cost split (which weighs handling
time). All from the working set in facts.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlmodel import col

from router.domain.vocabulary import TicketType
from router.report.facts import (
    RESOLVED,
    TICKET,
    Context,
    met_target,
    open_at_end,
    period_bucket,
    sla_seconds,
)
from router.report.hours import business_seconds, least
from router.report.model import Cell, Table
from router.report.stats import percentiles
from router.store.tables import Ticket

BREACH_LIST_LIMIT = 50
NO_APPLICATION = "(geen applicatie)"


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def share(part: float, whole: float) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


def _name(ctx: Context, dimension: str, key: Any) -> str:
    if dimension == "destination":
        return ctx.org.display_name(key)
    if dimension == "municipality":
        found = ctx.org.municipality(key)
        return found.name if found else key
    if dimension == "application":
        return key or NO_APPLICATION
    return str(key)


GROUPINGS = [
    ("destination", "doorlooptijd_bestemming", "Doorlooptijd per bestemming (team of leverancier)"),
    ("municipality", "doorlooptijd_gemeente", "Doorlooptijd per gemeente"),
    ("application", "doorlooptijd_applicatie", "Doorlooptijd per applicatie"),
    ("priority", "doorlooptijd_prioriteit", "Doorlooptijd per prioriteit"),
]
RESOLUTION_COLUMNS = [
    "Opgelost", "Mediaan werkuren", "P75 werkuren", "P90 werkuren", "Mediaan kalenderuren",
    "P75 kalenderuren", "P90 kalenderuren", "Mediaan werkuren vorige periode",
    "Mediaan werkuren 8 perioden",
]  # fmt: skip


def resolution_tables(ctx: Context) -> list[Table]:
    r, tables = RESOLVED.c, []
    for dimension, key, title in GROUPINGS:
        group = r[dimension]
        business = percentiles(
            ctx.session, RESOLVED, [group, r.period], sla_seconds(), [r.period <= 1, *ctx.mine]
        )
        calendar = percentiles(
            ctx.session, RESOLVED, [group], r.calendar_s, [r.period == 0, *ctx.mine]
        )
        eight = percentiles(
            ctx.session, RESOLVED, [group], sla_seconds(), ctx.mine, quantiles=[0.5]
        )
        rows: list[list[Cell]] = []
        for (value,), (count, cal) in calendar.items():
            now = business[(value, 0)][1]
            before = business.get((value, 1))
            rows.append([
                _name(ctx, dimension, value), count, *map(hours, now), *map(hours, cal),
                hours(before[1][0]) if before else None, hours(eight[(value,)][1][0]),
            ])  # fmt: skip
        rows.sort(key=lambda row: str(row[0]))
        tables.append(
            Table(key, title, [_label(dimension), *RESOLUTION_COLUMNS], rows, section="tijd")
        )
    tables[0].note = (
        "Werkuren: ma-vr 08:00-17:00 zonder feestdagen, volgens de agenda van de bestemming, "
        "zonder de tijd dat de melding op de melder wachtte. Kalenderuren: alle uren, "
        "wachten inbegrepen. Percentielen geïnterpoleerd."
    )
    return tables


def _label(dimension: str) -> str:
    return {
        "destination": "Bestemming",
        "municipality": "Gemeente",
        "application": "Applicatie",
        "priority": "Prioriteit",
    }[dimension]


def trend_table(ctx: Context) -> Table:
    r = RESOLVED.c
    medians = percentiles(
        ctx.session, RESOLVED, [r.period], sla_seconds(), ctx.mine, quantiles=[0.5, 0.9]
    )
    met = dict(
        ctx.session.execute(
            select(r.period, func.sum(met_target(ctx.org))).where(*ctx.mine).group_by(r.period)
        ).all()
    )
    t = TICKET.c
    trend = ctx.trend
    created = (
        select(period_bucket(t.created_at, trend).label("period"))
        .where(t.created_at >= trend[0].start, t.created_at < trend[-1].end)
        .where(*ctx.scoped(t.municipality))
        .subquery()
    )
    opened = dict(
        ctx.session.execute(select(created.c.period, func.count()).group_by(created.c.period)).all()
    )
    rows: list[list[Cell]] = []
    for back, period in reversed(list(enumerate(reversed(trend)))):
        count, (median, p90) = medians.get((back,), (0, [None, None]))
        rows.append([
            period.week or period.label, opened.get(back, 0), count, hours(median), hours(p90),
            share(float(met.get(back) or 0), count),
        ])  # fmt: skip
    columns = ["Periode", "Aangemeld", "Opgelost", "Mediaan werkuren", "P90 werkuren",
               "Binnen norm (%)"]  # fmt: skip
    return Table("trend", "Trend over acht perioden", columns, rows, section="tijd")


def sla_tables(ctx: Context) -> list[Table]:
    r, org = RESOLVED.c, ctx.org
    now = [r.period == 0, *ctx.mine]
    by_priority = ctx.session.execute(
        select(r.priority, func.count(), func.sum(met_target(org))).where(*now).group_by(r.priority)
    ).all()
    counts = {p: (n, int(m or 0)) for p, n, m in by_priority}
    rows: list[list[Cell]] = []
    for priority in ("P1", "P2", "P3", "P4"):
        n, m = counts.get(priority, (0, 0))
        target = org.sla.targets_hours[priority]  # type: ignore[index]
        rows.append([priority, target, n, m, share(m, n)])
    priority_table = Table(
        "sla_prioriteit",
        "SLA: binnen de oplosnorm per prioriteit",
        ["Prioriteit", "Norm (werkuren)", "Opgelost", "Binnen norm", "Binnen norm (%)"],
        rows,
        note=(
            "Wachten op de melder telt niet mee voor de norm. De norm hier is die van de "
            "samenwerking; meldingen bij een leverancier met een contract gelden tegen de "
            "norm van dat contract, in de werkuren van die leverancier."
        ),
        section="sla",
    )
    by_destination = ctx.session.execute(
        select(r.destination, func.count(), func.sum(met_target(org)))
        .where(*now)
        .group_by(r.destination)
    ).all()
    suppliers = {s.key for s in org.suppliers}
    dest_rows: list[list[Cell]] = [
        [org.display_name(d), "leverancier" if d in suppliers else "team", n, int(m or 0),
         share(int(m or 0), n)]
        for d, n, m in by_destination
    ]  # fmt: skip
    dest_rows.sort(key=lambda row: (row[1] != "leverancier", str(row[0])))
    destination_table = Table(
        "sla_bestemming",
        "SLA per leverancier en team",
        ["Bestemming", "Soort", "Opgelost", "Binnen norm", "Binnen norm (%)"],
        dest_rows,
        section="sla",
    )
    return [priority_table, destination_table, _open_breaches(ctx), _data_breaches(ctx)]


def _open_at_end(ctx: Context) -> list[Any]:
    return [open_at_end(), *ctx.scoped(col(Ticket.municipality))]


def _open_breaches(ctx: Context) -> Table:
    end = ctx.period.end
    conditions = [*_open_at_end(ctx), col(Ticket.sla_due_at) < end]
    total = ctx.session.execute(
        select(func.count()).select_from(Ticket).where(*conditions)
    ).scalar_one()
    rows = ctx.session.execute(
        select(col(Ticket.reference), col(Ticket.municipality), col(Ticket.destination),
               col(Ticket.priority), col(Ticket.sla_due_at))
        .where(*conditions)
        .order_by(col(Ticket.sla_due_at), col(Ticket.id))
        .limit(BREACH_LIST_LIMIT)
    ).all()  # fmt: skip
    table_rows: list[list[Cell]] = [
        [ref, muni, ctx.org.display_name(dest), prio, _when(ctx, due),
         hours(business_seconds(due, end, ctx.org.calendar(dest)))]
        for ref, muni, dest, prio, due in rows
    ]  # fmt: skip
    note = f"{total} meldingen stonden aan het eind van de periode open na hun deadline."
    if total > len(rows):
        note += f" De {len(rows)} oudste staan hier."
    return Table(
        "sla_open_te_laat",
        "Open meldingen over hun oplosdeadline",
        ["Referentie", "Gemeente", "Bestemming", "Prioriteit", "Deadline", "Te laat (werkuren)"],
        table_rows,
        note=note + " Deadline volgens de norm bij aanmaak.",
        section="sla",
    )


def _when(ctx: Context, moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(ctx.period.timezone)).strftime("%d-%m-%Y %H:%M")


def _data_breaches(ctx: Context) -> Table:
    period = ctx.period
    rows = ctx.session.execute(
        select(col(Ticket.reference), col(Ticket.municipality), col(Ticket.created_at),
               col(Ticket.notify_deadline_at), col(Ticket.resolved_at), col(Ticket.closed_at))
        .where(
            col(Ticket.type) == TicketType.data_breach,
            col(Ticket.created_at) >= period.start,
            col(Ticket.created_at) < period.end,
            *ctx.scoped(col(Ticket.municipality)),
        )
        .order_by(col(Ticket.created_at), col(Ticket.id))
    ).all()  # fmt: skip
    out: list[list[Cell]] = []
    for ref, muni, created, deadline, resolved, closed in rows:
        done = resolved or closed
        if deadline is None:
            verdict = "onbekend"
        elif done is not None:
            verdict = "ja" if done <= deadline else "nee"
        else:
            verdict = "nee (open)" if deadline < ctx.period.end else "loopt nog"
        out.append([ref, muni, _when(ctx, created), _when(ctx, deadline), _when(ctx, done),
                    verdict])  # fmt: skip
    return Table(
        "datalekken",
        "Datalekken en de 72-uursdeadline (Autoriteit Persoonsgegevens)",
        ["Referentie", "Gemeente", "Gemeld", "Deadline AP", "Afgehandeld", "Binnen 72 uur"],
        out,
        note=(
            "De store legt de melding aan de AP zelf niet vast: 'binnen 72 uur' betekent dat "
            "de FG het datalek vóór de deadline heeft afgehandeld (opgelost of gesloten)."
        ),
        section="sla",
    )


def cost_table(ctx: Context) -> Table:
    r, weights = RESOLVED.c, ctx.org.report.cost_weights
    priority_weight = case(
        *((r.priority == p, weights.priority[p]) for p in ("P1", "P2", "P3", "P4")),  # type: ignore[index]
        else_=0.0,
    )
    handling = least(sla_seconds() / 3600.0, weights.cap_hours)
    units = priority_weight * (weights.per_ticket + weights.per_business_hour * handling)
    rows = ctx.session.execute(
        select(r.municipality, func.count(), func.sum(units))
        .where(r.period == 0)
        .group_by(r.municipality)
        .order_by(r.municipality)
    ).all()
    total = sum(float(u or 0) for _, _, u in rows)
    rows = [row for row in rows if ctx.municipality in (None, row[0])]
    names = {m.key: m.name for m in ctx.org.municipalities}
    out: list[list[Cell]] = [
        [names.get(m, m), n, round(float(u or 0), 2), share(float(u or 0), total)]
        for m, n, u in rows
    ]
    w = weights
    note = (
        "Werkeenheden per opgeloste melding: gewicht van de prioriteit "
        f"(P1 {w.priority['P1']:g}, P2 {w.priority['P2']:g}, P3 {w.priority['P3']:g}, "
        f"P4 {w.priority['P4']:g}) x ({w.per_ticket:g} + {w.per_business_hour:g} per werkuur "
        f"behandeling, ten hoogste {w.cap_hours:g} uur). Gewichten uit het organisatiebestand."
    )
    return Table(
        "kostenverdeling",
        "Kostenverdeling: aandeel in het regiewerk",
        ["Gemeente", "Opgeloste meldingen", "Werkeenheden", "Aandeel (%)"],
        out,
        note=note,
        section="kosten",
    )
