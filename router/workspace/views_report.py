"""The weekly report in the workspace (a coordinator sees their municipality's version
only), its downloads (admins and coordinators), and satisfaction scores given by phone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import structlog
from aiohttp import web
from sqlmodel import Session

from router.logs import pseudonym
from router.report import files
from router.report.model import Report
from router.report.period import Period, iso_week, last_full_week
from router.report.queries import build_report
from router.report.render import body_html, report_html, stylesheet
from router.store import queues, satisfaction
from router.store.queues import Scope
from router.workspace import viewing
from router.workspace.forms import reference_of
from router.workspace.middleware import Forbidden
from router.workspace.operations import FormError
from router.workspace.web import in_session, org_of, render, scope_of, see_other, text_field

log = structlog.get_logger()
routes = web.RouteTableDef()
DOWNLOADS = {
    "html": ("text/html", files.HTML_NAME),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", files.XLSX_NAME),
    "csv": ("application/zip", "rapportage-csv.zip"),
}


def _period(request: web.Request) -> Period:
    tz = org_of(request).sla.timezone
    week = request.query.get("week", "").strip()[:10]
    return iso_week(week, tz) if week else last_full_week(datetime.now(UTC), tz)


async def _report(request: web.Request, scope: Scope) -> Report:
    """The report in the staff member's scope: a coordinator's holds their figures only."""
    org, period, now = org_of(request), _period(request), datetime.now(UTC)
    return await in_session(
        request,
        lambda s: build_report(s, org, period, municipality=scope.municipality, now=now),
    )


def _may_download(scope: Scope) -> bool:
    return scope.role in {"admin", "coordinator"}


@routes.get("/rapportage", name="report")
async def report_page(request: web.Request) -> web.Response:
    scope = scope_of(request)
    report = await _report(request, scope)
    body = await asyncio.to_thread(body_html, report)  # matplotlib: off the event loop
    return render(
        request, "report.html", report=report, body=body, can_download=_may_download(scope),
        week=report.period.week or "",
    )  # fmt: skip


@routes.get("/rapportage/rapport.css", name="report_css")
async def report_css(request: web.Request) -> web.Response:
    return web.Response(text=stylesheet(), content_type="text/css", charset="utf-8")


@routes.get("/rapportage/download/{kind}", name="report_download")
async def report_download(request: web.Request) -> web.Response:
    scope = scope_of(request)
    if not _may_download(scope):
        raise Forbidden("Alleen een beheerder of coördinator downloadt de rapportage.")
    kind = request.match_info["kind"]
    if kind not in DOWNLOADS:
        raise web.HTTPNotFound()
    report = await _report(request, scope)
    make = {
        "html": lambda: report_html(report).encode("utf-8"),
        "xlsx": lambda: files.workbook_bytes(report),
        "csv": lambda: files.csv_zip(report),
    }
    content = await asyncio.to_thread(make[kind])  # fmt: skip
    content_type, name = DOWNLOADS[kind]
    prefix = f"{report.period.slug}-{report.municipality or 'samenwerking'}"
    log.info("router.workspace.report_download", kind=kind, staff=pseudonym(scope.username))
    return web.Response(
        body=content,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{prefix}-{name}"'},
    )


@routes.get("/meldingen/{reference}/tevredenheid", name="satisfaction")
async def satisfaction_page(request: web.Request) -> web.Response:
    scope, reference = scope_of(request), reference_of(request.match_info["reference"])

    def load(session: Session) -> dict:
        ticket = queues.ticket_in_scope(session, scope, reference)
        return {"ticket": ticket, "scores": satisfaction.scores_of(session, ticket)}

    data = await in_session(request, load)
    await viewing.log_view(request, data["ticket"])
    return render(request, "satisfaction.html", **data,
                  ok="Score opgeslagen." if request.query.get("ok") else None)  # fmt: skip


@routes.post("/meldingen/{reference}/tevredenheid", name="satisfaction_record")
async def satisfaction_record(request: web.Request) -> web.Response:
    scope, reference = scope_of(request), reference_of(request.match_info["reference"])
    form = await request.post()
    given = text_field(form, "score", 2) or ""
    if given not in {"1", "2", "3", "4", "5"}:
        raise FormError("Kies een score van 1 tot en met 5.")

    def work(session: Session) -> None:
        ticket = queues.ticket_in_scope(session, scope, reference)
        satisfaction.record_satisfaction(
            session, ticket=ticket, score=int(given), remark=text_field(form, "opmerking", 2000),
            channel="telefoon", recorded_by=scope.username,
        )  # fmt: skip

    await in_session(request, work)
    log.info("router.workspace.satisfaction", reference=reference, staff=pseudonym(scope.username))
    return see_other(f"/staff/meldingen/{reference}/tevredenheid?ok=1")
