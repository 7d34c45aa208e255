"""Who may call each route of the router service: the JSON API (/api/) and the staff
workspace (/staff/), in one table (issue 17).

The API's token middleware takes its lists from here (router/api/auth.py); the workspace's
views check roles and scope themselves, and tests/test_access.py proves, route by route,
that each refuses whom this table does not name. A new route is added here first: that
test fails for a route the apps register and the table does not list, and the other way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from router.domain.vocabulary import Role


class Caller(StrEnum):
    public = "public"  # anyone, no credentials
    service = "service"  # the service token (LOKET_SERVICE_TOKEN) only
    assistant = "assistant"  # the service token, or the assistant's (LOKET_ASSISTANT_TOKEN)
    supplier = "supplier"  # a supplier's signature over the request; no token opens it
    staff = "staff"  # a signed-in staff member with one of `roles`


@dataclass(frozen=True)
class Access:
    caller: Caller
    roles: frozenset[Role] = frozenset()
    # A coordinator reaches only their own municipality: a ticket of another one is
    # answered as if it did not exist (404), a list leaves it out.
    scoped: bool = False


PUBLIC = Access(Caller.public)
SERVICE = Access(Caller.service)
ASSISTANT = Access(Caller.assistant)
SUPPLIER = Access(Caller.supplier)
STAFF = Access(Caller.staff, frozenset(Role))
SCOPED = Access(Caller.staff, frozenset(Role), scoped=True)
DESK = Access(Caller.staff, frozenset({Role.servicedesk, Role.admin}))  # outages
ADMIN = Access(Caller.staff, frozenset({Role.admin}))
REPORT_FILES = Access(Caller.staff, frozenset({Role.coordinator, Role.admin}), scoped=True)

# (method, route as the app registers it) -> who may call it. GET stands for HEAD too.
ROUTES: dict[tuple[str, str], Access] = {
    # --- JSON API -------------------------------------------------------------------------
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/api/openapi.json"): PUBLIC,
    ("GET", "/api/catalogue"): ASSISTANT,  # applications and municipalities
    ("POST", "/api/route"): SERVICE,
    ("POST", "/api/tickets"): ASSISTANT,  # file a ticket for the employee in the conversation
    ("GET", "/api/tickets"): SERVICE,  # every ticket of every employee
    ("GET", "/api/tickets/{reference}"): SERVICE,
    ("POST", "/api/tickets/{reference}/status"): SERVICE,
    ("POST", "/api/tickets/{reference}/forward"): SERVICE,
    ("POST", "/api/tickets/{reference}/reassign"): SERVICE,
    ("POST", "/api/tickets/{reference}/comments"): SERVICE,
    ("GET", "/api/my/tickets"): ASSISTANT,  # the reporter's own tickets
    ("GET", "/api/my/tickets/{reference}"): ASSISTANT,
    ("POST", "/api/my/tickets/{reference}/withdraw"): ASSISTANT,
    ("POST", "/api/my/tickets/{reference}/reopen"): ASSISTANT,  # "nee" to "opgelost"
    ("GET", "/api/outages"): ASSISTANT,  # known outages, announced before a ticket is filed
    ("POST", "/api/outages"): SERVICE,  # announcing an outage is staff work
    ("POST", "/api/outages/{outage_id}"): SERVICE,
    ("POST", "/api/bot-resolutions"): ASSISTANT,  # a question the bot answered alone
    # Telegram (issue 14): linking an account by a mailed code, and who it is linked to;
    # each update handled once across Rasa processes (a failed one released for a retry).
    ("POST", "/api/links/start"): ASSISTANT,
    ("POST", "/api/links/confirm"): ASSISTANT,
    ("GET", "/api/links/{channel}/{sender_id}"): ASSISTANT,
    ("POST", "/api/channel-updates"): ASSISTANT,
    ("DELETE", "/api/channel-updates/{channel}/{update_id}"): ASSISTANT,
    ("POST", "/api/suppliers/{key}/updates"): SUPPLIER,  # news of a forwarded ticket
    # --- staff workspace ------------------------------------------------------------------
    ("GET", "/"): PUBLIC,  # a redirect to /staff/
    ("GET", "/staff/static"): PUBLIC,  # stylesheet and script files
    ("GET", "/staff/login"): PUBLIC,
    ("POST", "/staff/login"): PUBLIC,  # CSRF-checked and rate-limited
    ("POST", "/staff/logout"): STAFF,
    ("GET", "/staff/"): STAFF,  # a redirect to the triage queue
    ("GET", "/staff/triage"): SCOPED,
    ("GET", "/staff/meldingen"): SCOPED,
    ("GET", "/staff/meldingen.csv"): SCOPED,
    ("POST", "/staff/meldingen/bulk"): SCOPED,
    ("GET", "/staff/meldingen/{reference}"): SCOPED,
    ("POST", "/staff/meldingen/{reference}/accepteren"): SCOPED,
    ("POST", "/staff/meldingen/{reference}/doorsturen"): SCOPED,
    ("POST", "/staff/meldingen/{reference}/status"): SCOPED,
    ("POST", "/staff/meldingen/{reference}/leverancier"): SCOPED,
    ("POST", "/staff/meldingen/{reference}/doorzetten"): SCOPED,
    ("POST", "/staff/meldingen/{reference}/opmerking"): SCOPED,
    ("POST", "/staff/meldingen/{reference}/oplossen"): SCOPED,
    ("POST", "/staff/meldingen/{reference}/heropenen"): SCOPED,
    ("GET", "/staff/meldingen/{reference}/tevredenheid"): SCOPED,
    ("POST", "/staff/meldingen/{reference}/tevredenheid"): SCOPED,
    ("POST", "/staff/meldingen/{reference}/datalek-besluit"): SCOPED,  # the FG's decision
    ("POST", "/staff/meldingen/{reference}/datalek-ap"): SCOPED,  # when the AP was told
    ("POST", "/staff/meldingen/{reference}/koppelen"): DESK,  # link to a major incident
    ("GET", "/staff/storingen"): SCOPED,  # a coordinator sees the outages that hit them
    ("POST", "/staff/storingen"): DESK,
    ("POST", "/staff/storingen/{outage_id}"): DESK,
    ("POST", "/staff/storingen/groot"): DESK,  # open a major incident with its tickets
    ("GET", "/staff/leveranciers"): SCOPED,  # regie: a coordinator sees their own tickets
    ("GET", "/staff/leveranciers/{key}"): SCOPED,
    ("GET", "/staff/accounts"): ADMIN,
    ("POST", "/staff/accounts"): ADMIN,
    ("POST", "/staff/accounts/{username}/actief"): ADMIN,
    ("GET", "/staff/model"): ADMIN,
    ("POST", "/staff/model/{version}/actief"): ADMIN,
    ("GET", "/staff/rapportage"): SCOPED,  # a coordinator's report holds their figures only
    ("GET", "/staff/rapportage/rapport.css"): STAFF,
    ("GET", "/staff/rapportage/download/{kind}"): REPORT_FILES,
    ("GET", "/staff/afleveringen"): SCOPED,  # undelivered messages
    # Privacy (issue 17): who opened which ticket, and an employee's data for their right
    # of access (each exported ticket is logged with the reason typed).
    ("GET", "/staff/toegangslog"): ADMIN,
    ("POST", "/staff/inzage"): ADMIN,
}


def routes_for(caller: Caller) -> frozenset[tuple[str, str]]:
    """Every (method, route) the table opens to `caller`."""
    return frozenset(route for route, access in ROUTES.items() if access.caller == caller)
