"""router/access.py lists every route of the router service with who may call it; here the
table is checked against the routes the app registers, then walked: every route refuses an
anonymous caller, a wrong or misplaced token and a staff member of the wrong role.

Who may call what does not depend on the store, so these walks run on SQLite only; the
coordinator walk (test_access_scope.py) runs on both databases.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import Session

from router.access import ROUTES, Caller
from router.api.openapi import build_openapi
from router.app import create_app
from router.domain.vocabulary import Role
from router.settings import Settings
from router.store.accounts import create_account
from router.store.engine import make_engine
from router.store.migrate import upgrade
from router.workspace.security import Secrets
from tests.fixtures import SAMPLE_ORG, TEST_TOKEN
from tests.workspace.access_walk import concrete, form_for, routes, snapshot
from tests.workspace.conftest import (
    PASSWORD,
    SECRET,
    Tickets,
    csrf_token,
    new_ticket,
    sign_in,
)

ASSISTANT_TOKEN = "test-assistant-token-9876543210"
SERVICE = {"Authorization": f"Bearer {TEST_TOKEN}"}
ASSISTANT = {"Authorization": f"Bearer {ASSISTANT_TOKEN}"}
# Tokens that are no token: wrong, truncated, another scheme, the right one without a scheme.
NOT_A_TOKEN = [
    {},
    {"Authorization": "Bearer wrong-token-wrong-token"},
    {"Authorization": f"Bearer {TEST_TOKEN[:-1]}"},
    {"Authorization": f"Basic {TEST_TOKEN}"},
    {"Authorization": TEST_TOKEN},
]
ACCOUNT_OF = {Role.servicedesk: "sanne", Role.coordinator: "dirk", Role.admin: "ada"}


@pytest.fixture(scope="session")
def _template(tmp_path_factory, org) -> tuple[Path, Tickets]:
    """One migrated SQLite store with the staff accounts and tickets, copied for each test:
    migrating and hashing passwords once instead of some hundred times."""
    path = tmp_path_factory.mktemp("access") / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        made = Tickets(  # as tests/workspace/conftest.py's `tickets` and `accounts`
            dyk=new_ticket(session, org, "DYK", "Printer Dijkstede doet niets", triage=True),
            vhn=new_ticket(session, org, "VHN", "Printer Veenhoven geheim", triage=True),
            dyk_routed=new_ticket(session, org, "DYK", "Key2Burgerzaken loopt vast", triage=False),
        )
        for role, username in ACCOUNT_OF.items():
            create_account(session, username=username, password=PASSWORD, role=role,
                           municipality="DYK" if role == Role.coordinator else None, org=org)  # fmt: skip
        session.commit()
    engine.dispose()
    return path, made


@pytest.fixture
def database_url(tmp_path, _template):
    """SQLite only (overrides tests/fixtures.py here): the walks test no store behaviour."""
    copy = tmp_path / "loket.db"
    shutil.copy(_template[0], copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def tickets(_template) -> Tickets:
    return _template[1]


@pytest.fixture
def accounts() -> None:
    """Already in the template."""


@pytest.fixture
def app(database_url, org):
    settings = Settings(
        service_token=TEST_TOKEN,
        assistant_token=ASSISTANT_TOKEN,
        database_url=database_url,
        org_file=SAMPLE_ORG,
    )
    return create_app(settings, org)


def _registered(app) -> set[tuple[str, str]]:
    found = set()
    for route in app.router.routes():
        if route.method == "HEAD":
            continue  # aiohttp adds HEAD to every GET; the table's GET stands for both
        found.add((route.method, route.resource.canonical))
    return found


def test_the_table_lists_every_route_the_app_registers_and_no_other(app):
    registered = _registered(app)
    assert registered - ROUTES.keys() == set(), "routes missing from router/access.py"
    assert ROUTES.keys() - registered == set(), "router/access.py lists routes that do not exist"


def test_the_table_names_roles_only_for_the_workspace():
    for (_method, path), access in ROUTES.items():
        assert (access.caller == Caller.staff) == bool(access.roles), path
        assert path.startswith("/staff/") or access.caller != Caller.staff, path
        assert not access.scoped or Role.coordinator in access.roles, path


SCHEMES = {
    Caller.public: set(),
    Caller.service: {"serviceToken"},
    Caller.assistant: {"serviceToken", "assistantToken"},
    Caller.supplier: {"supplierSignature"},
}


def test_the_openapi_document_describes_the_table_s_api_rows():
    spec = build_openapi()
    described = {
        (method.upper(), path): {name for entry in op.get("security", []) for name in entry}
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
    }
    api_rows = {route: access for route, access in ROUTES.items() if route[1].startswith("/api/")}
    assert described.keys() == api_rows.keys()
    for route, access in api_rows.items():
        assert described[route] == SCHEMES[access.caller], route


# --- the JSON API --------------------------------------------------------------------------

API_GUARDED = routes(prefix="/api/", callers={Caller.service, Caller.assistant})


@pytest.mark.parametrize(("method", "path", "access"), API_GUARDED)
async def test_api_refuses_every_caller_without_a_valid_token(
    aiohttp_client, app, engine, tickets, accounts, method, path, access
):
    client = await aiohttp_client(app)
    await sign_in(client, "ada")  # a staff session: it opens the workspace, not the API
    before = snapshot(engine)
    url = concrete(path, tickets.dyk)
    for headers in NOT_A_TOKEN:
        resp = await client.request(method, url, json={}, headers=headers)
        assert resp.status == 401, (headers, await resp.text())
        assert resp.headers["WWW-Authenticate"] == "Bearer"
        assert (await resp.json())["error"] == "missing or invalid service token"
        if method == "GET":  # HEAD, which aiohttp adds to every GET, is guarded alike
            assert (await client.head(url, headers=headers)).status == 401
    assert snapshot(engine) == before


@pytest.mark.parametrize(("method", "path", "access"), API_GUARDED)
async def test_api_token_scopes_follow_the_table(
    aiohttp_client, app, engine, tickets, method, path, access
):
    client = await aiohttp_client(app)
    url = concrete(path, tickets.dyk)
    if access.caller == Caller.service:
        before = snapshot(engine)
        resp = await client.request(method, url, json={}, headers=ASSISTANT)
        assert resp.status == 403, await resp.text()
        assert snapshot(engine) == before
    else:  # the assistant's token gets past the door (its answer may be 404 or 422)
        resp = await client.request(method, url, json={}, headers=ASSISTANT)
        assert resp.status not in (401, 403), await resp.text()
    resp = await client.request(method, url, json={}, headers=SERVICE)
    assert resp.status not in (401, 403), await resp.text()


@pytest.mark.parametrize(
    ("method", "path", "access"), routes(prefix="/api/", callers={Caller.supplier})
)
async def test_no_token_opens_a_signed_route(aiohttp_client, app, engine, tickets, method, path,
                                             access, monkeypatch):  # fmt: skip
    monkeypatch.setenv("LOKET_SUPPLIER_CENTRIC_SECRET", "centric-updates-secret-0123456789")
    client = await aiohttp_client(app)
    before = snapshot(engine)
    for headers in [SERVICE, ASSISTANT, *NOT_A_TOKEN]:
        body = {"reference": tickets.dyk_routed, "status": "resolved"}
        resp = await client.request(method, concrete(path, tickets.dyk), json=body,
                                    headers=headers)  # fmt: skip
        assert resp.status == 401, (headers, await resp.text())
    assert snapshot(engine) == before


@pytest.mark.parametrize(("method", "path", "access"), routes(prefix="/", callers={Caller.public}))
async def test_public_routes_answer_without_credentials(aiohttp_client, app, method, path, access):
    client = await aiohttp_client(app)
    resp = await client.request(method, concrete(path, "-"), allow_redirects=False)
    if method == "POST":  # the sign-in form: refused without its CSRF token, never a 5xx
        assert resp.status == 403
    else:
        assert resp.status in (200, 302, 303), path


# --- the staff workspace -------------------------------------------------------------------

STAFF_ROUTES = routes(prefix="/staff/", callers={Caller.staff})


async def _workspace_request(client, method: str, url: str, form: dict[str, str]):
    if method == "GET":
        return await client.get(url, allow_redirects=False)
    # With a valid CSRF token for this (possibly anonymous) session, so that what refuses
    # the request is the sign-in or the role, not the CSRF check.
    token = await csrf_token(client)
    return await client.post(url, data={**form, "csrf_token": token}, allow_redirects=False)


@pytest.mark.parametrize(("method", "path", "access"), STAFF_ROUTES)
async def test_workspace_sends_an_anonymous_caller_to_sign_in(
    aiohttp_client, app, engine, tickets, accounts, method, path, access
):
    client = await aiohttp_client(app)
    url = concrete(path, tickets.dyk)
    before = snapshot(engine)
    for headers in ({}, SERVICE, ASSISTANT):  # the API's tokens do not open the workspace
        client.session.headers.clear()
        client.session.headers.update(headers)
        resp = await _workspace_request(client, method, url, form_for(path))
        assert resp.status == 303, (headers, await resp.text())
        assert resp.headers["Location"].startswith("/staff/login?next=")
    assert snapshot(engine) == before


@pytest.mark.parametrize(("method", "path", "access"), STAFF_ROUTES)
async def test_workspace_refuses_a_forged_session(
    aiohttp_client, app, engine, tickets, accounts, method, path, access
):
    client = await aiohttp_client(app)
    await sign_in(client, "ada")
    jar = client.session.cookie_jar
    real = Secrets(SECRET, cookie_secure=False).read_session(
        jar.filter_cookies(client.make_url("/staff/"))["loket_sessie"].value
    )
    assert real is not None
    # The same claim, signed with another key.
    forged = Secrets("another-secret-key-0123456789-abcdefghij", cookie_secure=False)
    value = forged.session_token(real.account_id, real.fingerprint, real.generation)
    jar.update_cookies({"loket_sessie": value}, response_url=client.make_url("/staff/"))
    before = snapshot(engine)
    resp = await _workspace_request(client, method, concrete(path, tickets.dyk), form_for(path))
    assert resp.status == 303, await resp.text()
    assert resp.headers["Location"].startswith("/staff/login?next=")
    assert snapshot(engine) == before


WRONG_ROLE = [
    (method, path, access, role)
    for method, path, access in STAFF_ROUTES
    for role in Role
    if role not in access.roles
]


@pytest.mark.parametrize(("method", "path", "access", "role"), WRONG_ROLE)
async def test_workspace_refuses_a_wrong_role_with_403(
    aiohttp_client, app, engine, tickets, accounts, method, path, access, role
):
    client = await aiohttp_client(app)
    await sign_in(client, ACCOUNT_OF[role])
    before = snapshot(engine)
    resp = await _workspace_request(client, method, concrete(path, tickets.dyk), form_for(path))
    assert resp.status == 403, await resp.text()
    assert "U hebt hiervoor geen rechten" in await resp.text() or "Alleen" in await resp.text()
    assert snapshot(engine) == before


ALLOWED_PAGES = [
    (method, path, access, role)
    for method, path, access in STAFF_ROUTES
    for role in sorted(access.roles)
    if method == "GET"
]


@pytest.mark.parametrize(("method", "path", "access", "role"), ALLOWED_PAGES)
async def test_workspace_opens_each_page_to_the_roles_the_table_names(
    aiohttp_client, app, tickets, accounts, method, path, access, role
):
    client = await aiohttp_client(app)
    await sign_in(client, ACCOUNT_OF[role])
    resp = await client.get(concrete(path, tickets.dyk), allow_redirects=False)
    assert resp.status in (200, 303), await resp.text()
    if resp.status == 303:  # /staff/ itself: on to the triage queue
        assert resp.headers["Location"] == "/staff/triage"
