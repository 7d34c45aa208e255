"""Known outages (servicedesk and admins manage them) and staff accounts (admins only)."""

from __future__ import annotations

import structlog
from aiohttp import web
from sqlmodel import Session

from router.domain.org import Organisation, UnknownName
from router.domain.vocabulary import Role
from router.logs import pseudonym
from router.store import accounts, major_incidents, outages, queues
from router.store.tables import Outage, Ticket, flushed_id
from router.workspace.forms import OK_MESSAGES, checked
from router.workspace.middleware import Forbidden
from router.workspace.operations import FormError
from router.workspace.web import in_session, org_of, render, scope_of, see_other, text_field

log = structlog.get_logger()
routes = web.RouteTableDef()


@routes.get("/storingen", name="outages")
async def outage_list(request: web.Request) -> web.Response:
    scope = scope_of(request)

    def load(session: Session) -> tuple[list[Outage], dict[int, list[Ticket]]]:
        rows = queues.outages_in_scope(session, scope)
        linked = {
            flushed_id(o.id): [
                t for t in major_incidents.linked_tickets(session, outage_id=flushed_id(o.id))
                if scope.municipality in (None, t.municipality)
            ]
            for o in rows
        }  # fmt: skip
        return rows, linked

    rows, linked = await in_session(request, load)
    return render(
        request, "outages.html", outages=rows, linked=linked,
        ok=OK_MESSAGES.get(request.query.get("ok", "")),
    )  # fmt: skip


def _municipality(org: Organisation, given: str) -> str:
    try:
        return org.municipality_key(given)
    except UnknownName:
        raise FormError(f"Onbekende gemeente '{given[:100]}'. Kies er een uit de lijst.") from None


def _manager(request: web.Request) -> queues.Scope:
    scope = scope_of(request)
    if not scope.can_manage_outages:
        raise Forbidden("Alleen de servicedesk beheert storingen.")
    return scope


@routes.post("/storingen", name="outage_open")
async def outage_open(request: web.Request) -> web.Response:
    scope, org = _manager(request), org_of(request)
    form = await request.post()
    title = text_field(form, "titel", 200)
    if not title:
        raise FormError("Geef de storing een titel.")
    given_application = text_field(form, "applicatie", 100)
    try:
        application = org.application_name(given_application)
    except UnknownName:
        message = f"Onbekende applicatie '{given_application}'. Kies er een uit de lijst."
        raise FormError(message) from None
    municipalities = sorted(
        {_municipality(org, m) for m in form.getall("gemeente", []) if isinstance(m, str)}
    )

    def work(session: Session) -> int:
        outage = outages.open_outage(
            session,
            title=title,
            application=application,
            municipalities=municipalities,
            description=text_field(form, "beschrijving") or "",
        )
        return flushed_id(outage.id)

    outage_id = await in_session(request, work)
    log.info("router.workspace.outage_opened", outage=outage_id, staff=pseudonym(scope.username))
    return see_other("/staff/storingen?ok=storing")


@routes.post("/storingen/{outage_id:\\d+}", name="outage_update")
async def outage_update(request: web.Request) -> web.Response:
    scope = _manager(request)
    outage_id = int(request.match_info["outage_id"])
    form = await request.post()

    org, close = org_of(request), checked(form, "sluiten")
    description = text_field(form, "beschrijving")

    def work(session: Session) -> int:
        outages.update_outage(session, outage_id=outage_id, description=description)
        if not close:
            return 0
        # Closing resolves every linked open ticket, by this staff member; reporters hear it.
        return len(
            major_incidents.close_outage(
                session, outage_id=outage_id, actor=scope.username, org=org,
                note=text_field(form, "oplossing", 2000),
            )  # fmt: skip
        )

    resolved = await in_session(request, work)
    log.info(
        "router.workspace.outage_updated", outage=outage_id, closed=close, resolved=resolved,
        staff=pseudonym(scope.username),
    )  # fmt: skip
    return see_other("/staff/storingen?ok=storing")


def _admin(request: web.Request) -> queues.Scope:
    scope = scope_of(request)
    if not scope.can_manage_accounts:
        raise Forbidden("Alleen een beheerder beheert accounts.")
    return scope


@routes.get("/accounts", name="accounts")
async def account_list(request: web.Request) -> web.Response:
    _admin(request)
    rows = await in_session(request, accounts.list_accounts)
    return render(
        request,
        "accounts.html",
        accounts=rows,
        roles=[str(r) for r in Role],
        ok=OK_MESSAGES.get(request.query.get("ok", "")),
    )


@routes.post("/accounts", name="account_create")
async def account_create(request: web.Request) -> web.Response:
    scope, org = _admin(request), org_of(request)
    form = await request.post()
    role = text_field(form, "rol", 16)
    if role not in set(Role):
        raise FormError("Kies een rol.")
    given = form.get("wachtwoord")
    password = given if isinstance(given, str) else ""
    municipality = text_field(form, "gemeente", 100)
    if municipality:
        municipality = _municipality(org, municipality)

    def work(session: Session) -> None:
        accounts.create_account(
            session,
            username=text_field(form, "gebruikersnaam", 64) or "",
            password=password,
            role=Role(role),
            municipality=municipality,
            org=org,
        )

    await in_session(request, work)
    log.info("router.workspace.account_created", by=pseudonym(scope.username))
    return see_other("/staff/accounts?ok=account")


@routes.post("/accounts/{username}/actief", name="account_active")
async def account_active(request: web.Request) -> web.Response:
    scope = _admin(request)
    username = request.match_info["username"].strip().lower()  # names are case-insensitive
    form = await request.post()
    active = checked(form, "actief")

    def work(session: Session) -> None:
        account = accounts.find_account(session, username)
        if account is not None and account.username.lower() == scope.username.lower():
            raise FormError("U kunt uw eigen account niet uitschakelen.")
        accounts.set_active(session, username=username, active=active)

    await in_session(request, work)
    log.info(
        "router.workspace.account_active",
        account=pseudonym(username),
        active=active,
        by=pseudonym(scope.username),
    )
    return see_other("/staff/accounts?ok=account")
