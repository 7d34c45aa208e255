"""The triage queue, the ticket queues with search, the CSV export and bulk operations."""

from __future__ import annotations

import csv
import io

import structlog
from aiohttp import web
from sqlmodel import Session

from router.domain.vocabulary import Status
from router.logs import pseudonym
from router.store import queues
from router.store.tables import utcnow
from router.workspace import operations, views_major
from router.workspace.forms import (
    AGES,
    OK_MESSAGES,
    PRIORITIES,
    back_to,
    filter_query,
    queue_filter,
)
from router.workspace.web import in_session, org_of, render, scope_of, see_other, text_field

log = structlog.get_logger()
routes = web.RouteTableDef()
CSV_COLUMNS = (
    "reference", "municipality", "status", "priority", "destination", "application",
    "title", "created_at", "response_due_at", "sla_due_at", "sla_state", "supplier_reference",
    "notify_deadline_at", "ap_notified_at",
)  # fmt: skip


@routes.get("/", name="home")
async def home(request: web.Request) -> web.Response:
    return see_other("/staff/triage")


@routes.get("/triage", name="triage")
async def triage(request: web.Request) -> web.Response:
    scope, page = scope_of(request), _page(request)
    tickets, total = await in_session(request, lambda s: queues.triage_queue(s, scope, page))
    return render(
        request,
        "triage.html",
        tickets=tickets,
        total=total,
        page=page,
        pages=_pages(total),
        destinations=_destinations(request),
        ok=OK_MESSAGES.get(request.query.get("ok", "")),
    )


@routes.get("/meldingen", name="tickets")
async def tickets(request: web.Request) -> web.Response:
    scope, org = scope_of(request), org_of(request)
    f = queue_filter(request.query, org)

    def load(session: Session) -> tuple[list, int, dict[str, int], list]:
        rows, total = queues.queue(session, scope, f, utcnow())
        bursts = views_major.bursts_of(request, session)
        return rows, total, queues.sla_counts(session, scope), bursts

    rows, total, sla_counts, bursts = await in_session(request, load)
    return render(
        request,
        "tickets.html",
        tickets=rows,
        total=total,
        sla_counts=sla_counts,
        bursts=bursts,
        f=f,
        pages=_pages(total),
        link=lambda **changes: "/staff/meldingen?" + filter_query(f, **changes),
        via="search" if f.search else "queue",  # why, in the access log, a ticket was opened
        export_link="/staff/meldingen.csv?" + filter_query(f, pagina=None),
        statuses=[str(s) for s in Status],
        priorities=PRIORITIES,
        ages=AGES,
        destinations=_destinations(request),
        ok=OK_MESSAGES.get(request.query.get("ok", "")),
        bulk=request.query.get("gedaan"),
        skipped=request.query.get("overgeslagen"),
    )


@routes.get("/meldingen.csv", name="export")
async def export(request: web.Request) -> web.Response:
    scope, org = scope_of(request), org_of(request)
    f = queue_filter(request.query, org)
    rows = await in_session(request, lambda s: queues.export(s, scope, f, utcnow()))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_COLUMNS)
    for ticket in rows:
        writer.writerow([_cell(getattr(ticket, c)) for c in CSV_COLUMNS])
    log.info("router.workspace.exported", staff=pseudonym(scope.username), rows=len(rows))
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="meldingen.csv"'},
    )


def _cell(value: object) -> str:
    """No formulas in a spreadsheet cell: text that starts like one gets a quote."""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@routes.post("/meldingen/bulk", name="bulk")
async def bulk(request: web.Request) -> web.Response:
    scope, org = scope_of(request), org_of(request)
    form = await request.post()
    references = [r for r in form.getall("ref", []) if isinstance(r, str)]
    action = form.get("actie")
    if action == "doorsturen":
        destination, reason = text_field(form, "bestemming", 64) or "", text_field(form, "reden")

        def work(session: Session) -> operations.BulkResult:
            return operations.bulk_reassign(
                session,
                scope=scope,
                references=references,
                destination=destination,
                reason=reason,
                org=org,
            )
    elif action == "sluiten":

        def work(session: Session) -> operations.BulkResult:
            return operations.bulk_close(session, scope=scope, references=references)
    else:
        raise operations.FormError("Kies een bulkactie.")
    result = await in_session(request, work)
    log.info(
        "router.workspace.bulk",
        action=action,
        done=len(result.done),
        staff=pseudonym(scope.username),
    )
    back = back_to(text_field(form, "terug", 1000), "/staff/meldingen")
    sep = "&" if "?" in back else "?"
    return see_other(
        f"{back}{sep}ok=bulk&gedaan={len(result.done)}&overgeslagen={len(result.skipped)}"
    )


def _page(request: web.Request) -> int:
    try:
        return max(1, min(int(request.query.get("pagina", "1")), 100_000))
    except ValueError:
        return 1


def _pages(total: int) -> int:
    return max(1, -(-total // queues.PER_PAGE))


def _destinations(request: web.Request) -> list[tuple[str, str]]:
    org = org_of(request)
    return [(t.key, t.name) for t in org.teams] + [(s.key, s.name) for s in org.suppliers]
