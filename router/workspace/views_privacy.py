"""Privacy for admins (issue 17): the access log (who opened which ticket, when and why),
and an employee's data exported for their right of access, with a typed reason."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import structlog
from aiohttp import web
from sqlmodel import Session

from router.domain.access_log import WHY_LABELS
from router.logs import pseudonym
from router.store import access_log
from router.subject_access.export import Export, export_employee, zipped
from router.workspace.middleware import Forbidden
from router.workspace.web import in_session, org_of, render, scope_of, text_field

log = structlog.get_logger()
routes = web.RouteTableDef()


def _admin(request: web.Request) -> str:
    """The admin's username; anyone else is refused (403)."""
    scope = scope_of(request)
    if not scope.can_manage_accounts:
        raise Forbidden("Alleen een beheerder leest het toegangslog en exporteert gegevens.")
    return scope.username


@routes.get("/toegangslog", name="access_log")
async def access_log_page(request: web.Request) -> web.Response:
    _admin(request)
    reference = (request.query.get("melding") or "").strip()[:16]
    staff = (request.query.get("medewerker") or "").strip()[:100]
    page = _page(request.query.get("pagina"))

    def load(session: Session) -> tuple[list, int]:
        return access_log.access_entries(session, reference=reference, staff=staff, page=page)

    entries, total = await in_session(request, load)
    return render(
        request, "access_log.html", entries=entries, total=total, page=page,
        pages=max(1, -(-total // access_log.PER_PAGE)), reference=reference, staff=staff,
        why_labels=WHY_LABELS, link=lambda **changes: _log_link(reference, staff, **changes),
    )  # fmt: skip


def _page(value: str | None) -> int:
    try:
        return max(1, min(int(value or "1"), 100_000))
    except ValueError:
        return 1


def _log_link(reference: str, staff: str, **changes: object) -> str:
    values = {"melding": reference, "medewerker": staff, **changes}
    return "/staff/toegangslog?" + urlencode({k: v for k, v in values.items() if v})


@routes.post("/inzage", name="subject_access")
async def subject_access(request: web.Request) -> web.Response:
    """The employee's data as a zip of the JSON and the HTML file; each ticket in it is
    logged as exported by this admin, for the reason typed (required)."""
    staff, org = _admin(request), org_of(request)
    form = await request.post()
    email = text_field(form, "email", 254) or ""
    reason = text_field(form, "reden", 500)
    now = datetime.now(UTC)

    def work(session: Session) -> Export:
        return export_employee(session, email=email, staff=staff, reason=reason, org=org, now=now)

    export = await in_session(request, work)
    log.info("router.workspace.subject_access_export", tickets=len(export.references),
             staff=pseudonym(staff))  # fmt: skip
    name = f"inzage-{now:%Y%m%d-%H%M%S}.zip"
    return web.Response(
        body=zipped(export.files),
        content_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
