"""Figures on the work: volume and backlog, routing quality, the assistant, regie per
supplier, satisfaction, and the portfolio (tickets per application per municipality)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlmodel import col

from router.domain.vocabulary import EventKind, RoutedHow, Status, TicketType
from router.report.facts import RESOLVED, Context, met_target, open_at_end, sla_seconds
from router.report.figures_time import NO_APPLICATION, hours, share
from router.report.hours import business_clock, calendar_of, epoch
from router.report.model import Cell, Table
from router.report.stats import percentiles
from router.store.tables import (
    BotResolution,
    RouteCorrection,
    SatisfactionScore,
    Ticket,
    TicketEvent,
)

TYPE_LABELS = {
    TicketType.incident: "Storing",
    TicketType.request: "Aanvraag",
    TicketType.question: "Vraag",
    TicketType.security_incident: "Beveiligingsincident",
    TicketType.data_breach: "Datalek",
    TicketType.callback: "Terugbelverzoek",
}
AUTOMATIC = (RoutedHow.rule, RoutedHow.catalogue, RoutedHow.model)


def _in_period(ctx: Context, column: Any) -> list[Any]:
    return [column >= ctx.period.start, column < ctx.period.end]


def _created(ctx: Context) -> list[Any]:
    return [*_in_period(ctx, col(Ticket.created_at)), *ctx.scoped(col(Ticket.municipality))]


def volume_table(ctx: Context) -> Table:
    s = ctx.session
    opened = dict(
        s.execute(
            select(col(Ticket.type), func.count()).where(*_created(ctx)).group_by(col(Ticket.type))
        ).all()
    )
    moves = (
        select(
            col(Ticket.type), col(TicketEvent.new_value), func.count(func.distinct(col(Ticket.id)))
        )
        .join_from(TicketEvent, Ticket, col(Ticket.id) == col(TicketEvent.ticket_id))
        .where(
            col(TicketEvent.kind) == EventKind.status,
            col(TicketEvent.new_value).in_([Status.resolved, Status.closed, Status.withdrawn]),
            *_in_period(ctx, col(TicketEvent.at)),
            *ctx.scoped(col(Ticket.municipality)),
        )
        .group_by(col(Ticket.type), col(TicketEvent.new_value))
    )
    moved = {(t, v): n for t, v, n in s.execute(moves)}
    backlog = dict(
        s.execute(
            select(col(Ticket.type), func.count())
            .where(open_at_end(), *ctx.scoped(col(Ticket.municipality)))
            .group_by(col(Ticket.type))
        ).all()
    )
    rows: list[list[Cell]] = []
    for kind, label in TYPE_LABELS.items():
        rows.append([
            label, opened.get(kind, 0), moved.get((kind, Status.resolved), 0),
            moved.get((kind, Status.closed), 0), moved.get((kind, Status.withdrawn), 0),
            backlog.get(kind, 0),
        ])  # fmt: skip
    rows.append(["Totaal", *(sum(int(r[i] or 0) for r in rows) for i in range(1, 6))])
    return Table(
        "volume",
        "Volume: meldingen per soort",
        ["Soort", "Aangemeld", "Opgelost", "Gesloten", "Ingetrokken", "Werkvoorraad einde"],
        rows,
        note="Werkvoorraad: aangemeld vóór het einde van de periode en toen nog niet opgelost.",
        section="volume",
    )


def _first_corrections(ctx: Context) -> Any:
    """Per ticket created in the period, the first correction (where the router sent it)."""
    created = select(col(Ticket.id)).where(*_created(ctx))
    first = (
        select(func.min(col(RouteCorrection.id)).label("id"))
        .where(col(RouteCorrection.ticket_id).in_(created))
        .group_by(col(RouteCorrection.ticket_id))
        .subquery()
    )
    return (
        select(
            col(RouteCorrection.ticket_id), col(RouteCorrection.from_destination),
            col(RouteCorrection.from_how), col(RouteCorrection.to_destination),
        )
        .join_from(first, RouteCorrection, col(RouteCorrection.id) == first.c.id)
        .subquery()
    )  # fmt: skip


def routing_tables(ctx: Context) -> list[Table]:
    s, org = ctx.session, ctx.org
    fc = _first_corrections(ctx)
    how = func.coalesce(fc.c.from_how, col(Ticket.routed_how))
    destination = func.coalesce(fc.c.from_destination, col(Ticket.destination))
    rows = s.execute(
        select(how, destination, func.count(), func.count(fc.c.ticket_id))
        .join_from(Ticket, fc, fc.c.ticket_id == col(Ticket.id), isouter=True)
        .where(*_created(ctx))
        .group_by(how, destination)
    ).all()
    total = sum(n for _, _, n, _ in rows)
    automatic = sum(n for h, _, n, _ in rows if h in AUTOMATIC)
    triaged = sum(n for h, _, n, _ in rows if h == RoutedHow.triage)
    per_destination: dict[str, list[int]] = {}
    for h, dest, n, corrected in rows:
        if h in AUTOMATIC:
            counts = per_destination.setdefault(dest, [0, 0])
            counts[0] += n
            counts[1] += corrected
    left_triage = _triage_times(ctx)
    count, (median, p90) = left_triage.get((), (0, [None, None]))
    summary = Table(
        "routering",
        "Kwaliteit van de routering",
        ["Kengetal", "Waarde"],
        [
            ["Aangemelde meldingen", total],
            ["Automatisch gerouteerd", automatic],
            ["Automatisch gerouteerd (%)", share(automatic, total)],
            ["Naar triage", triaged],
            ["Naar triage (%)", share(triaged, total)],
            ["Uit triage gehaald", count],
            ["Mediaan tijd in triage (kalenderuren)", hours(median)],
            ["P90 tijd in triage (kalenderuren)", hours(p90)],
        ],
        note="Automatisch: door een vaste regel, de applicatiecatalogus of het tekstmodel.",
        section="routering",
    )
    dest_rows: list[list[Cell]] = [
        [org.display_name(d), n, c, share(c, n)] for d, (n, c) in per_destination.items()
    ]
    dest_rows.sort(key=lambda row: (-float(row[3] or 0), str(row[0])))
    per_dest = Table(
        "routering_bestemming",
        "Waar vergist de router zich? Automatische routes die de servicedesk omleidde",
        ["Bestemming volgens de router", "Automatisch gerouteerd", "Later omgeleid",
         "Omgeleid (%)"],
        dest_rows,
        section="routering",
    )  # fmt: skip
    return [summary, per_dest]


def _triage_times(ctx: Context) -> dict[tuple[Any, ...], tuple[int, list[float]]]:
    """Time from creation to leaving triage (first reassignment or confirmation), per ticket
    that the router sent to triage: one index lookup in the audit trail per such ticket."""
    fc = _first_corrections(ctx)
    left_at = (
        select(func.min(TicketEvent.at))
        .where(
            col(TicketEvent.ticket_id) == col(Ticket.id),
            col(TicketEvent.kind).in_([EventKind.reassigned, EventKind.reviewed]),
        )
        .scalar_subquery()
    )
    waited = (
        select((epoch(left_at) - epoch(col(Ticket.created_at))).label("seconds"))
        .join_from(Ticket, fc, fc.c.ticket_id == col(Ticket.id), isouter=True)
        .where(
            *_created(ctx),
            func.coalesce(fc.c.from_how, col(Ticket.routed_how)) == RoutedHow.triage,
        )
        .subquery()
    )
    return percentiles(ctx.session, waited, [], waited.c.seconds, quantiles=[0.5, 0.9])


def bot_table(ctx: Context) -> Table:
    s = ctx.session
    answers = dict(
        s.execute(
            select(col(BotResolution.helped), func.count())
            .where(
                *_in_period(ctx, col(BotResolution.at)),
                *ctx.scoped(col(BotResolution.municipality)),
            )
            .group_by(col(BotResolution.helped))
        ).all()
    )
    by_assistant = s.execute(
        select(col(Ticket.type), func.count())
        .join_from(TicketEvent, Ticket, col(Ticket.id) == col(TicketEvent.ticket_id))
        .where(
            col(TicketEvent.kind) == EventKind.created,
            col(TicketEvent.actor) == "assistant",
            *_in_period(ctx, col(TicketEvent.at)),
            *ctx.scoped(col(Ticket.municipality)),
        )
        .group_by(col(Ticket.type))
    ).all()
    tickets = sum(n for _, n in by_assistant)
    handoffs = sum(n for t, n in by_assistant if t == TicketType.callback)
    helped, not_helped = answers.get(True, 0), answers.get(False, 0)
    return Table(
        "assistent",
        "De assistent",
        ["Kengetal", "Waarde"],
        [
            ["Gesprekken", "onbekend"],
            ["Vragen beantwoord zonder melding (antwoord hielp)", helped],
            ["Antwoorden die niet hielpen", not_helped],
            ["Meldingen via de assistent", tickets],
            ["Overdrachten aan een mens (terugbelverzoeken)", handoffs],
            ["Containment (%): geholpen / (geholpen + meldingen via de assistent)",
             share(helped, helped + tickets)],
        ],
        note=(
            "De store ziet geen gesprekken, alleen hun uitkomsten: een antwoord waarvan de "
            "medewerker zei dat het hielp, of een melding. Gesprekken die zonder antwoord op "
            "'heeft dit geholpen?' eindigen, afgebroken gesprekken en antwoorden over storingen "
            "tellen nergens mee; de echte containment ligt daardoor hoger of lager dan hier."
        ),
        section="assistent",
    )  # fmt: skip


def regie_table(ctx: Context) -> Table:
    s, org = ctx.session, ctx.org
    suppliers = [sup.key for sup in org.suppliers]
    ev = TicketEvent
    forwards = (
        select(
            col(ev.ticket_id).label("ticket_id"),
            func.min(col(ev.at)).label("forwarded_at"),
        )
        .where(
            col(ev.kind) == EventKind.status,
            col(ev.new_value) == Status.forwarded,
            *_in_period(ctx, col(ev.at)),
        )
        .group_by(col(ev.ticket_id))
        .subquery()
    )
    reaction = (
        select(func.min(col(ev.at)))
        .where(
            col(ev.ticket_id) == forwards.c.ticket_id,
            col(ev.kind).in_([EventKind.status, EventKind.comment]),
            col(ev.at) > forwards.c.forwarded_at,
        )
        .scalar_subquery()
    )
    forwarded = (
        select(
            col(Ticket.destination).label("destination"),
            forwards.c.forwarded_at,
            reaction.label("reaction_at"),
        )
        .join_from(forwards, Ticket, col(Ticket.id) == forwards.c.ticket_id)
        .where(col(Ticket.destination).in_(suppliers), *ctx.scoped(col(Ticket.municipality)))
        .subquery()
    )
    first_response = (
        select(
            forwarded.c.destination,
            (business_clock(forwarded.c.reaction_at, calendar_of(org, forwarded.c.destination))
             - business_clock(forwarded.c.forwarded_at, calendar_of(org, forwarded.c.destination)))
            .label("seconds"),
        )
        .subquery()
    )  # fmt: skip
    counts = dict(
        s.execute(
            select(forwarded.c.destination, func.count()).group_by(forwarded.c.destination)
        ).all()
    )
    responses = percentiles(
        s, first_response, [first_response.c.destination], first_response.c.seconds,
        quantiles=[0.5],
    )  # fmt: skip
    r = RESOLVED.c
    now = [r.period == 0, r.destination.in_(suppliers), *ctx.mine]
    after_forward = _after_forwarding(ctx, now)
    after = percentiles(
        s, after_forward, [after_forward.c.destination], after_forward.c.seconds, quantiles=[0.5]
    )
    total = percentiles(s, RESOLVED, [r.destination], sla_seconds(), now, quantiles=[0.5])
    met = dict(
        s.execute(
            select(r.destination, func.sum(met_target(org))).where(*now).group_by(r.destination)
        ).all()
    )
    reopened = dict(
        s.execute(
            select(col(Ticket.destination), func.count())
            .join_from(ev, Ticket, col(Ticket.id) == col(ev.ticket_id))
            .where(
                col(ev.kind) == EventKind.status,
                col(ev.new_value) == Status.reopened,
                *_in_period(ctx, col(ev.at)),
                *ctx.scoped(col(Ticket.municipality)),
            )
            .group_by(col(Ticket.destination))
        ).all()
    )
    rows: list[list[Cell]] = []
    for key in suppliers:
        resolved = total.get((key,), (0, [None]))[0]
        row = [
            org.display_name(key),
            counts.get(key, 0),
            hours(responses.get((key,), (0, [None]))[1][0]),
            resolved,
            hours(after.get((key,), (0, [None]))[1][0]),
            hours(total.get((key,), (0, [None]))[1][0]),
            share(int(met.get(key) or 0), resolved),
            reopened.get(key, 0),
            share(reopened.get(key, 0), resolved),
        ]
        if any(row[i] for i in (1, 3, 7)):
            rows.append(row)
    return Table(
        "regie",
        "Regie per leverancier",
        ["Leverancier", "Doorgezet", "Mediaan tot eerste reactie (werkuren)", "Opgelost",
         "Mediaan na doorzetten (werkuren)", "Mediaan doorlooptijd (werkuren)",
         "Binnen norm (%)", "Heropend", "Heropend (%)"],
        rows,
        note=(
            "Doorgezet: meldingen die in de periode de status 'doorgezet naar leverancier' "
            "kregen. Eerste reactie: de eerstvolgende statuswijziging of opmerking. "
            "Heropend (%): heropeningen in de periode per opgeloste melding."
        ),
        section="regie",
    )  # fmt: skip


def _after_forwarding(ctx: Context, now: list[Any]) -> Any:
    """Per supplier ticket resolved in the period: the business seconds from its first
    forwarding (before that resolution) to the resolution; NULL when it was never forwarded.
    Index lookups in the audit trail of the period's tickets only."""
    r, ev = RESOLVED.c, TicketEvent
    first_forward = (
        select(func.min(col(ev.at)))
        .where(
            col(ev.ticket_id) == r.ticket_id,
            col(ev.kind) == EventKind.status,
            col(ev.new_value) == Status.forwarded,
            col(ev.at) <= r.resolved_at,
        )
        .scalar_subquery()
    )
    forwarded = (
        select(r.destination, r.resolved_at, first_forward.label("forwarded_at"))
        .where(*now)
        .subquery()
    )
    f = forwarded.c
    calendar = calendar_of(ctx.org, f.destination)
    seconds = business_clock(f.resolved_at, calendar) - business_clock(f.forwarded_at, calendar)
    return select(f.destination, seconds.label("seconds")).subquery()


def satisfaction_tables(ctx: Context) -> list[Table]:
    tables = []
    for column, key, title, label in (
        (col(Ticket.destination), "tevredenheid_bestemming", "Tevredenheid per bestemming",
         "Bestemming"),
        (col(Ticket.municipality), "tevredenheid_gemeente", "Tevredenheid per gemeente",
         "Gemeente"),
    ):  # fmt: skip
        rows = ctx.session.execute(
            select(
                column,
                func.count(),
                func.avg(col(SatisfactionScore.score)),
                func.sum(case((col(SatisfactionScore.score) >= 4, 1), else_=0)),
            )
            .join_from(
                SatisfactionScore, Ticket, col(Ticket.id) == col(SatisfactionScore.ticket_id)
            )
            .where(
                *_in_period(ctx, col(SatisfactionScore.at)), *ctx.scoped(col(Ticket.municipality))
            )
            .group_by(column)
            .order_by(column)
        ).all()
        out: list[list[Cell]] = [
            [_name(ctx, key, k), n, round(float(avg), 2), share(int(good or 0), n)]
            for k, n, avg, good in rows
        ]
        tables.append(
            Table(key, title, [label, "Scores", "Gemiddelde (1-5)", "Tevreden, 4-5 (%)"], out,
                  section="tevredenheid")
        )  # fmt: skip
    tables[0].note = (
        "Scores van 1 tot 5 na het oplossen van een melding; tot de kanalen erom vragen "
        "legt de servicedesk een telefonisch gegeven score vast."
    )
    return tables


def _name(ctx: Context, key: str, value: str) -> str:
    if key.endswith("gemeente"):
        found = ctx.org.municipality(value)
        return found.name if found else value
    return ctx.org.display_name(value)


def portfolio_tables(ctx: Context) -> list[Table]:
    keys = [m.key for m in ctx.org.municipalities if ctx.municipality in (None, m.key)]
    names = {m.key: m.name for m in ctx.org.municipalities}
    tables = []
    for type_filter, key, title in (
        (None, "portfolio", "Portfolio: meldingen per applicatie per gemeente"),
        (TicketType.request, "aanvragen", "Vraagsturing: aanvragen per soort (applicatie)"),
    ):
        query = (
            select(col(Ticket.application), col(Ticket.municipality), func.count())
            .where(*_created(ctx))
            .group_by(col(Ticket.application), col(Ticket.municipality))
        )
        if type_filter is not None:
            query = query.where(col(Ticket.type) == type_filter)
        pivot: dict[str, dict[str, int]] = {}
        for application, municipality, n in ctx.session.execute(query):
            pivot.setdefault(application or NO_APPLICATION, {})[municipality] = n
        rows: list[list[Cell]] = [
            [app, *(counts.get(k, 0) for k in keys), sum(counts.values())]
            for app, counts in pivot.items()
        ]
        rows.sort(key=lambda row: (-int(row[-1] or 0), str(row[0])))
        tables.append(
            Table(key, title, ["Applicatie", *(names[k] for k in keys), "Totaal"], rows,
                  section="portfolio")
        )  # fmt: skip
    tables[
        0
    ].note = "Aangemelde meldingen in de periode; de duurste applicaties in regiewerk bovenaan."
    return tables
