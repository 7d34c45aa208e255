"""One ticket's page and the actions on it; each action is scoped and then redirects."""

from __future__ import annotations

from collections.abc import Callable

import structlog
from aiohttp import web
from multidict import MultiMapping
from sqlmodel import Session

from router.domain.forwarding import METHOD_LABELS
from router.domain.lifecycle import TRANSITIONS
from router.domain.org import Organisation
from router.domain.vocabulary import RoutedHow, Status
from router.logs import pseudonym
from router.store import forwarding, major_incidents, outages, queues
from router.store import tickets as store
from router.store.queues import Scope
from router.workspace import operations, viewing, views_major
from router.workspace.forms import OK_MESSAGES, back_to, checked, reference_of, status_of
from router.workspace.views_queues import _destinations
from router.workspace.web import in_session, org_of, render, scope_of, see_other, text_field

log = structlog.get_logger()
routes = web.RouteTableDef()


@routes.get("/meldingen/{reference}", name="ticket")
async def ticket_page(request: web.Request) -> web.Response:
    scope, reference = scope_of(request), reference_of(request.match_info["reference"])

    def load(session: Session) -> dict:
        ticket = queues.ticket_in_scope(session, scope, reference)
        return dict(
            ticket=ticket,
            reporter=store.reporter_of(session, ticket),
            events=store.ticket_events(session, ticket),
            comments=store.ticket_comments(session, ticket),
            outage=outages.get_outage(session, ticket.outage_id) if ticket.outage_id else None,
            undelivered=forwarding.undelivered_forward(session, ticket_id=ticket.id or 0),
            # The prompt to open a major incident, when this ticket is part of a burst; and
            # the open outages it can be linked to.
            bursts=[b for b in views_major.bursts_of(request, session)
                    if ticket.reference in b.references],
            open_outages=outages.current_outages(session) if scope.can_manage_outages else [],
            similar=views_major.similar_to(session, scope, ticket),
            led_by=major_incidents.is_led_elsewhere(session, ticket),
        )  # fmt: skip

    data = await in_session(request, load)
    why = await viewing.log_view(request, data["ticket"])
    allowed = TRANSITIONS[Status(data["ticket"].status)]
    supplier = forwarding.forwarding_supplier(org_of(request), data["ticket"])
    # A ticket of a major incident that another ticket carries to the supplier: never on its own.
    can_send = supplier is not None and data["led_by"] is None and (
        Status.forwarded in allowed or data["ticket"].status == Status.forwarded
    )
    return render(
        request,
        "ticket.html",
        **data,
        next_statuses=[str(s) for s in Status if s in allowed and s not in operations.NEEDS_FORM],
        can_forward=Status.forwarded in allowed or data["ticket"].status == Status.forwarded,
        # Forward by the supplier's own method (organisation file), when it has one.
        send_to=supplier.name if supplier and can_send else None,
        send_by=METHOD_LABELS[supplier.forwarding.method] if supplier and supplier.forwarding
        else None,
        can_resolve=Status.resolved in allowed,
        can_reopen=Status.reopened in allowed,
        destinations=_destinations(request),
        back=viewing.page_of(data["ticket"], why),
        ok=OK_MESSAGES.get(request.query.get("ok", "")),
    )


# One action on a ticket: (session, scope, org, reference, form) -> the page's ok message or None.
Action = Callable[[Session, Scope, Organisation, str, MultiMapping[object]], str | None]


def _ticket_action(name: str, ok: str) -> Callable[[Action], Action]:
    """Register a POST action on a ticket: run it in the store, then back to the page."""

    def register(work: Action) -> Action:
        @routes.post(f"/meldingen/{{reference}}/{name}", name=f"ticket_{name}")
        async def handler(request: web.Request) -> web.Response:
            scope, org = scope_of(request), org_of(request)
            reference = reference_of(request.match_info["reference"])
            form = await request.post()
            outcome = await in_session(request, lambda s: work(s, scope, org, reference, form))
            log.info(
                f"router.workspace.{name}", reference=reference, staff=pseudonym(scope.username)
            )
            page = f"/staff/meldingen/{reference}"
            back = back_to(text_field(form, "terug", 1000), page)
            sep = "&" if "?" in back else "?"
            return see_other(f"{back}{sep}ok={outcome or ok}")

        return work

    return register


@_ticket_action("accepteren", "overgenomen")
def _accept(
    session: Session,
    scope: Scope,
    org: Organisation,
    reference: str,
    form: MultiMapping[object],
) -> str:
    ticket = operations.accept_suggestion(
        session,
        scope=scope,
        reference=reference,
        destination=text_field(form, "bestemming", 64) or "",
        org=org,
    )
    return "overgenomen" if ticket.routed_how == RoutedHow.staff else "bevestigd"


@_ticket_action("doorsturen", "doorgestuurd")
def _reassign(
    session: Session,
    scope: Scope,
    org: Organisation,
    reference: str,
    form: MultiMapping[object],
) -> None:
    operations.reassign(
        session,
        scope=scope,
        reference=reference,
        destination=text_field(form, "bestemming", 64) or "",
        reason=text_field(form, "reden", 500),
        org=org,
    )


@_ticket_action("status", "status")
def _status(
    session: Session,
    scope: Scope,
    org: Organisation,
    reference: str,
    form: MultiMapping[object],
) -> None:
    operations.set_status(
        session,
        scope=scope,
        reference=reference,
        status=status_of(text_field(form, "status", 16)),
        note=text_field(form, "toelichting", 1000),
        org=org,
    )


@_ticket_action("leverancier", "leverancier")
def _forward(
    session: Session,
    scope: Scope,
    org: Organisation,
    reference: str,
    form: MultiMapping[object],
) -> None:
    operations.mark_forwarded(
        session,
        scope=scope,
        reference=reference,
        supplier_reference=text_field(form, "leveranciersreferentie", 100) or "",
        note=text_field(form, "toelichting", 1000),
        org=org,
    )


@_ticket_action("doorzetten", "doorgezet")
def _send_to_supplier(
    session: Session,
    scope: Scope,
    org: Organisation,
    reference: str,
    form: MultiMapping[object],
) -> None:
    operations.forward_to_supplier(
        session,
        scope=scope,
        reference=reference,
        note=text_field(form, "toelichting", 1000),
        org=org,
    )


@_ticket_action("opmerking", "opmerking")
def _comment(
    session: Session,
    scope: Scope,
    org: Organisation,
    reference: str,
    form: MultiMapping[object],
) -> None:
    operations.comment(
        session,
        scope=scope,
        reference=reference,
        text=text_field(form, "tekst"),
        to_reporter=checked(form, "aan_melder"),
    )


@_ticket_action("oplossen", "opgelost")
def _resolve(
    session: Session,
    scope: Scope,
    org: Organisation,
    reference: str,
    form: MultiMapping[object],
) -> None:
    operations.resolve(
        session,
        scope=scope,
        reference=reference,
        note=text_field(form, "oplossing", 2000),
        to_reporter=checked(form, "aan_melder"),
    )


@_ticket_action("heropenen", "heropend")
def _reopen(
    session: Session,
    scope: Scope,
    org: Organisation,
    reference: str,
    form: MultiMapping[object],
) -> None:
    operations.reopen(
        session, scope=scope, reference=reference, note=text_field(form, "reden", 500)
    )


@_ticket_action("datalek-besluit", "besluit")
def _breach_decision(
    session: Session,
    scope: Scope,
    org: Organisation,
    reference: str,
    form: MultiMapping[object],
) -> None:
    operations.record_breach_decision(
        session,
        scope=scope,
        reference=reference,
        decision=text_field(form, "besluit", 16),
        reason=text_field(form, "reden", 2000),
    )


@_ticket_action("datalek-ap", "ap-gemeld")
def _ap_notified(
    session: Session,
    scope: Scope,
    org: Organisation,
    reference: str,
    form: MultiMapping[object],
) -> None:
    operations.record_ap_notification(
        session,
        scope=scope,
        reference=reference,
        notified_at=text_field(form, "gemeld_op", 32),
        ap_reference=text_field(form, "ap_referentie", 100),
        org=org,
    )
