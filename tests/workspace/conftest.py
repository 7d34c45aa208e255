"""Workspace fixtures: the app with a secret key, staff accounts, tickets in two municipalities."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlmodel import Session

from router.domain.route import Route
from router.domain.vocabulary import Role, RoutedHow, TicketType
from router.store import tickets as store
from router.store.accounts import create_account
from tests.fixtures import SAMPLE_ORG, TEST_TOKEN

SECRET = "test-workspace-secret-key-0123456789abcdef"
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


@pytest.fixture(autouse=True)
def _workspace_env(monkeypatch):
    monkeypatch.setenv("LOKET_SECRET_KEY", SECRET)
    monkeypatch.setenv("LOKET_COOKIE_SECURE", "false")  # the test client speaks plain HTTP


@dataclass
class Tickets:
    dyk: str  # Dijkstede, in the triage queue
    vhn: str  # Veenhoven, in the triage queue
    dyk_routed: str  # Dijkstede, routed by the catalogue


def new_ticket(session: Session, org, municipality: str, title: str, *, triage: bool) -> str:
    route = (
        Route(
            "servicedesk",
            RoutedHow.triage,
            0.41,
            [
                {"destination": "werkplek", "confidence": 0.41},
                {"destination": "netwerk", "confidence": 0.33},
                {"destination": "servicedesk", "confidence": 0.12},
            ],
            needs_review=True,
            reasons=["'printer' wijst op werkplek", "'vpn' wijst op netwerk"],
        )
        if triage
        else Route("centric", RoutedHow.catalogue, 1.0, application="Key2Burgerzaken")
    )
    domain = org.municipality(municipality).email_domain
    ticket = store.create_ticket(
        session,
        data=store.NewTicket(
            municipality=municipality,
            reporter=store.Reporter("rest", f"u-{title[:12]}", email=f"piet@{domain}"),
            type=TicketType.incident,
            title=title,
            description=f"{title}: het lukt niet sinds vanochtend",
            impact="medium",
            urgency="medium",
            application=None if triage else "Key2Burgerzaken",
            conversation="medewerker: het werkt niet\nassistent: ik maak een melding",
        ),
        route=route,
        org=org,
        actor="assistant",
    )
    return ticket.reference


@pytest.fixture
def tickets(engine, org) -> Tickets:
    with Session(engine, expire_on_commit=False) as session:
        refs = Tickets(
            dyk=new_ticket(session, org, "DYK", "Printer Dijkstede doet niets", triage=True),
            vhn=new_ticket(session, org, "VHN", "Printer Veenhoven geheim", triage=True),
            dyk_routed=new_ticket(session, org, "DYK", "Key2Burgerzaken loopt vast", triage=False),
        )
        session.commit()
    return refs


@pytest.fixture
def accounts(engine, org) -> None:
    with Session(engine) as session:
        for username, role, municipality in [
            ("sanne", Role.servicedesk, None),
            ("dirk", Role.coordinator, "DYK"),
            ("ada", Role.admin, None),
        ]:
            create_account(
                session,
                username=username,
                password=PASSWORD,
                role=role,
                municipality=municipality,
                org=org,
            )
        session.commit()


@pytest.fixture
def app(database_url, org):
    from router.app import create_app
    from router.settings import Settings

    settings = Settings(service_token=TEST_TOKEN, database_url=database_url, org_file=SAMPLE_ORG)
    return create_app(settings, org)


@pytest.fixture
async def web(aiohttp_client, app, accounts):
    return await aiohttp_client(app)


async def csrf_token(client, path: str = "/staff/login") -> str:
    resp = await client.get(path)
    match = CSRF.search(await resp.text())
    assert match, f"no CSRF token on {path}"
    return match.group(1)


async def sign_in(client, username: str, password: str = PASSWORD, *, headers=None):
    token = await csrf_token(client)
    return await client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf_token": token},
        headers=headers,
        allow_redirects=False,
    )


async def post_form(client, path: str, data: dict, *, page: str = "/staff/triage"):
    """A form post as the browser makes it: with the CSRF token of a page just loaded."""
    token = await csrf_token(client, page)
    return await client.post(path, data={**data, "csrf_token": token}, allow_redirects=False)
