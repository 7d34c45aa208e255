"""Suppliers as contract partners (regie): per supplier its open and overdue tickets, median
times against the contract, and the tickets whose answer was sent back (reopened).

A coordinator sees their own municipality's tickets only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp import web
from sqlmodel import Session

from router.domain.contract_figures import Resolved, contract_figures
from router.domain.errors import InvalidInput, NotFound
from router.domain.org import Organisation, Supplier
from router.store import suppliers
from router.store.tables import Ticket
from router.workspace.web import in_session, org_of, render, scope_of

routes = web.RouteTableDef()
PERIOD_DAYS = 90  # the medians and the reopened tickets: the last quarter
MAX_DAYS = 366


def overdue(ticket: Ticket, now: datetime) -> bool:
    """Past its resolution due time (a paused clock is not overdue), or marked breached."""
    past_due = ticket.sla_due_at is not None and ticket.sla_due_at < now
    return ticket.sla_state == "breached" or (past_due and ticket.waiting_since is None)


class UnknownSupplier(NotFound):
    def __init__(self, key: str) -> None:
        super().__init__(f"no supplier {key!r} in the organisation file")

    def dutch(self) -> str:
        return "Deze leverancier staat niet in het organisatiebestand."


class BadPeriod(InvalidInput):
    def __init__(self) -> None:
        super().__init__(f"dagen: a number of days from 1 to {MAX_DAYS}")

    def dutch(self) -> str:
        return f"Geef de periode als een aantal dagen, van 1 tot en met {MAX_DAYS}."


def _days(request: web.Request) -> int:
    try:
        days = int(request.query.get("dagen", PERIOD_DAYS))
    except ValueError:
        raise BadPeriod() from None
    if not 1 <= days <= MAX_DAYS:
        raise BadPeriod()
    return days


def _supplier(org: Organisation, key: str) -> Supplier:
    supplier = org.supplier(key)
    if supplier is None:
        raise UnknownSupplier(key)
    return supplier


@dataclass(frozen=True)
class SupplierRow:
    supplier: Supplier
    open: int
    overdue: int
    reopened: int


@routes.get("/leveranciers", name="suppliers")
async def supplier_list(request: web.Request) -> web.Response:
    scope, org, now = scope_of(request), org_of(request), datetime.now(UTC)
    since = now - timedelta(days=PERIOD_DAYS)

    def work(session: Session) -> list[SupplierRow]:
        rows = []
        for supplier in org.suppliers:
            found = suppliers.supplier_tickets(
                session, destination=supplier.key, municipality=scope.municipality, since=since
            )
            late = sum(overdue(t, now) for t in found.open)
            rows.append(SupplierRow(supplier, len(found.open), late, len(found.reopened)))
        return rows

    rows = await in_session(request, work)
    return render(request, "suppliers.html", rows=rows, days=PERIOD_DAYS)


@routes.get("/leveranciers/{key}", name="supplier")
async def supplier_page(request: web.Request) -> web.Response:
    scope, org, now = scope_of(request), org_of(request), datetime.now(UTC)
    supplier, days = _supplier(org, request.match_info["key"]), _days(request)
    found = await in_session(
        request,
        lambda s: suppliers.supplier_tickets(
            s, destination=supplier.key, municipality=scope.municipality,
            since=now - timedelta(days=days),
        ),
    )  # fmt: skip
    resolved = [
        Resolved(t.priority, t.created_at, t.first_response_at, at, t.sla_paused_seconds)
        for t in found.resolved
        if (at := t.resolved_at) is not None
    ]
    figures = contract_figures(
        resolved,
        org.calendar(supplier.key),
        lambda p: org.response_hours(supplier.key, p),
        lambda p: org.resolution_hours(supplier.key, p),
    )
    return render(
        request, "supplier.html", supplier=supplier, found=found, figures=figures, days=days,
        overdue=overdue, now=now,
    )  # fmt: skip
