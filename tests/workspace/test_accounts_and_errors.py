"""Accounts compared case-insensitively, `loket staff activate`, Dutch error pages and safe
redirect targets in the workspace (issue 11)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from router.cli.staff_commands import staff_app
from router.store.accounts import AccountError, authenticate, create_account, find_account
from router.store.tables import StaffAccount
from tests.workspace.conftest import PASSWORD, SAMPLE_ORG, csrf_token, post_form, sign_in


def _active(engine, username: str) -> bool:
    with Session(engine) as session:
        account = find_account(session, username)
        assert account is not None
        return account.active


# --- usernames are case-insensitive -----------------------------------------------------


async def test_an_admin_cannot_deactivate_themselves_by_changing_case(web, engine):
    await sign_in(web, "ada")
    for name in ("ADA", "Ada", "ada"):
        resp = await post_form(web, f"/staff/accounts/{name}/actief", {}, page="/staff/accounts")
        assert resp.status == 422, name
        assert "eigen account niet uitschakelen" in await resp.text()
    assert _active(engine, "ada")
    assert (await web.get("/staff/accounts", allow_redirects=False)).status == 200


async def test_an_admin_deactivates_and_activates_others_whatever_the_case(web, engine):
    await sign_in(web, "ada")
    resp = await post_form(web, "/staff/accounts/Sanne/actief", {}, page="/staff/accounts")
    assert resp.status == 303 and not _active(engine, "sanne")
    on = {"actief": "1"}
    resp = await post_form(web, "/staff/accounts/SANNE/actief", on, page="/staff/accounts")
    assert resp.status == 303 and _active(engine, "sanne")


async def test_sign_in_ignores_the_case_of_the_name(web):
    assert (await sign_in(web, "SaNNe")).status == 303


def test_accounts_are_found_whatever_the_case_also_old_mixed_case_rows(session, org):
    session.add(StaffAccount(username="Legacy.Name", password_hash="x", role="admin"))
    session.flush()
    assert find_account(session, "legacy.name") is not None
    assert find_account(session, "LEGACY.NAME") is not None
    with pytest.raises(AccountError, match="bestaat al"):
        create_account(
            session, username="legacy.name", password=PASSWORD, role="admin",
            municipality=None, org=org,
        )  # fmt: skip


@pytest.fixture
def cli_env(monkeypatch, database_url):
    monkeypatch.setenv("LOKET_DATABASE_URL", database_url)
    monkeypatch.setenv("LOKET_ORG_FILE", str(SAMPLE_ORG))


def test_staff_activate_undoes_deactivate(cli_env, engine, accounts):
    runner = CliRunner()
    result = runner.invoke(staff_app, ["deactivate", "Dirk"])
    assert result.exit_code == 0 and "'dirk' uitgeschakeld" in result.output
    assert not _active(engine, "dirk")
    listing = runner.invoke(staff_app, ["list"])
    assert "dirk\tcoordinator DYK (uitgeschakeld)" in listing.output
    result = runner.invoke(staff_app, ["activate", "DIRK"])
    assert result.exit_code == 0 and "'dirk' ingeschakeld" in result.output, result.output
    assert _active(engine, "dirk")
    with Session(engine) as session:
        assert authenticate(session, username="dirk", password=PASSWORD)
    unknown = runner.invoke(staff_app, ["activate", "nobody"])
    assert unknown.exit_code == 2 and "bestaat niet" in unknown.output


# --- every workspace error is a Dutch HTML page -------------------------------------------


async def _dutch_page(resp, status: int, *expected: str) -> str:
    text = await resp.text()
    assert resp.status == status, text[:300]
    assert resp.content_type == "text/html", text[:300]
    assert '<html lang="nl">' in text
    for words in expected:
        assert words in text, text[-800:]
    shown = re.sub(r"<[^>]+>", " ", text.split("<main>", 1)[-1])  # the visible text
    for english in ("unknown", "error", "known:", "Internal Server Error"):
        assert english not in shown, shown
    return text


async def test_unknown_names_in_forms_give_a_dutch_page(web, tickets):
    await sign_in(web, "ada")
    outage = {"titel": "Plat", "gemeente": "Nergenshuizen"}
    resp = await post_form(web, "/staff/storingen", outage, page="/staff/storingen")
    await _dutch_page(resp, 422, "Onbekende gemeente &#39;Nergenshuizen&#39;")
    outage = {"titel": "Plat", "applicatie": "Nope"}
    resp = await post_form(web, "/staff/storingen", outage, page="/staff/storingen")
    await _dutch_page(resp, 422, "Onbekende applicatie &#39;Nope&#39;")
    account = {"gebruikersnaam": "bob", "rol": "coordinator", "gemeente": "XXX",
               "wachtwoord": "a long enough password"}  # fmt: skip
    resp = await post_form(web, "/staff/accounts", account, page="/staff/accounts")
    await _dutch_page(resp, 422, "Onbekende gemeente &#39;XXX&#39;")
    move = {"bestemming": "nergens", "reden": "beter"}
    resp = await post_form(web, f"/staff/meldingen/{tickets.dyk}/doorsturen", move)
    await _dutch_page(resp, 422, "Kies een bestaande bestemming")
    bulk = {"actie": "doorsturen", "bestemming": "nergens", "reden": "x", "ref": tickets.dyk}
    await _dutch_page(await post_form(web, "/staff/meldingen/bulk", bulk), 422, "Kies een")


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(lambda: RuntimeError("database on fire"), id="unexpected"),
        pytest.param(
            lambda: __import__("router.domain.errors").domain.errors.LoketError("x"),
            id="domain-error-without-status",
        ),  # fmt: skip
        pytest.param(
            lambda: __import__("router.domain.org").domain.org.UnknownName("unknown x"),
            id="english-domain-message",
        ),  # fmt: skip
    ],
)
async def test_unexpected_errors_are_a_dutch_page_not_json(web, tickets, monkeypatch, failure):
    from router.workspace import operations

    def broken(*args, **kwargs):
        raise failure()

    monkeypatch.setattr(operations, "comment", broken)
    await sign_in(web, "sanne")
    resp = await post_form(web, f"/staff/meldingen/{tickets.dyk}/opmerking", {"tekst": "hoi"})
    assert resp.content_type != "application/json"
    status = 422 if "UnknownName" in repr(failure()) else 500
    await _dutch_page(resp, status)


async def test_http_errors_are_dutch_pages(web):
    await sign_in(web, "sanne")
    await _dutch_page(await web.get("/staff/bestaat-niet"), 404, "Deze pagina bestaat niet")
    await _dutch_page(await web.put("/staff/triage"), 403, "formulier is verlopen")  # no token
    token = {"X-CSRF-Token": await csrf_token(web, "/staff/triage")}
    resp = await web.put("/staff/triage", headers=token)
    await _dutch_page(resp, 405, "Dat kan op deze pagina niet")


# --- redirect targets ------------------------------------------------------------------


async def test_cr_lf_in_terug_falls_back_to_the_ticket_page(web, engine, tickets):
    await sign_in(web, "sanne")
    form = {"tekst": "Printer herstart", "terug": "/staff/triage\r\nSet-Cookie: evil=1"}
    resp = await post_form(web, f"/staff/meldingen/{tickets.dyk}/opmerking", form)
    assert resp.status == 303
    assert resp.headers["Location"] == f"/staff/meldingen/{tickets.dyk}?ok=opmerking"
    assert "evil" not in resp.headers.get("Set-Cookie", "")
    page = await web.get(f"/staff/meldingen/{tickets.dyk}")
    assert "Printer herstart" in await page.text()  # saved, and the answer arrived
    bulk = {"actie": "sluiten", "ref": tickets.dyk, "terug": "/staff/meldingen\n?x=1"}
    resp = await post_form(web, "/staff/meldingen/bulk", bulk)
    assert resp.status == 303 and resp.headers["Location"].startswith("/staff/meldingen?ok=bulk")


async def test_cr_lf_in_next_falls_back_to_the_workspace(web):
    form = {"username": "sanne", "password": PASSWORD, "csrf_token": await csrf_token(web),
            "next": "/staff/triage\r\nX-Evil: 1"}  # fmt: skip
    resp = await web.post("/staff/login", data=form, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/staff/"
    page = await web.get("/staff/login?next=%2Fstaff%2Ftriage%0D%0AX-Evil%3A%201")
    assert 'name="next" value="/staff/"' in await page.text()


@pytest.mark.parametrize(
    "target",
    [
        "/staff/triage\r\nX-Evil: 1", "/staff/triage\n", "/staff/a\tb", "https://evil.example/",
        "//evil.example/", "/staff//evil.example", "/staff/\\evil", "/staff/../api/tickets",
        "/staff/%2e%2e/api/tickets", "/staff/%2F%2Fevil", "/staff/%252e%252e/x", "/staffx/",
        "javascript:alert(1)", "/staff/é", "/staff/" + "a" * 1000, "", None,
    ],
)  # fmt: skip
def test_unsafe_redirect_targets_fall_back(target):
    from router.workspace.forms import safe_target

    assert safe_target(target, "/staff/meldingen") == "/staff/meldingen"


def test_safe_redirect_targets_are_kept():
    from router.workspace.forms import safe_target

    for target in ("/staff/", "/staff/triage", "/staff/meldingen?status=open&q=printer%20vpn"):
        assert safe_target(target, "/staff/") == target
