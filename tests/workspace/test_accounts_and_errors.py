"""Accounts compared case-insensitively, `loket staff activate`, Dutch error pages and safe
redirect targets in the workspace (issue 11)."""

from __future__ import annotations

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from router.cli.staff_commands import staff_app
from router.store.accounts import AccountError, authenticate, create_account, find_account
from router.store.tables import StaffAccount
from tests.workspace.conftest import PASSWORD, SAMPLE_ORG, post_form, sign_in


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
