"""`loket staff ...` and the workspace's configuration errors."""

from __future__ import annotations

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from router.cli.staff_commands import staff_app
from router.store.accounts import authenticate, find_account
from router.workspace.security import WorkspaceConfigError, load_secrets
from tests.workspace.conftest import SAMPLE_ORG


@pytest.fixture
def cli_env(monkeypatch, database_url):
    monkeypatch.setenv("LOKET_DATABASE_URL", database_url)
    monkeypatch.setenv("LOKET_ORG_FILE", str(SAMPLE_ORG))


def test_admin_creates_accounts_from_the_command_line(cli_env, engine):
    runner = CliRunner()
    result = runner.invoke(
        staff_app,
        ["create", "Dirk", "--role", "coordinator", "--municipality", "Gemeente Dijkstede",
         "--password-stdin"],
        input="a long enough password\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        account = find_account(session, "dirk")
        assert account.role == "coordinator" and account.municipality == "DYK"
        assert authenticate(session, username="dirk", password="a long enough password")
    again = runner.invoke(staff_app, ["create", "dirk", "--role", "admin", "--password-stdin"],
                          input="a long enough password\n")  # fmt: skip
    assert again.exit_code == 2 and "bestaat al" in again.output
    for args, why in [
        (["create", "x1", "--role", "coordinator", "--password-stdin"], "één gemeente"),
        (["create", "x2", "--role", "admin", "--municipality", "DYK", "--password-stdin"],
         "Alleen een coördinator"),
        (["create", "x3", "--role", "servicedesk", "--password-stdin"], "minstens 12"),
    ]:  # fmt: skip
        result = runner.invoke(staff_app, args, input="short\n" if "x3" in args else "x" * 20)
        assert result.exit_code == 2 and why in result.output, result.output
    assert runner.invoke(staff_app, ["deactivate", "dirk"]).exit_code == 0
    listing = runner.invoke(staff_app, ["list"])
    assert "dirk\tcoordinator DYK (uitgeschakeld)" in listing.output


def test_the_secret_key_is_required_and_not_a_placeholder(monkeypatch):
    from router.settings import Settings
    from tests.workspace.conftest import TEST_TOKEN

    monkeypatch.delenv("LOKET_SECRET_KEY")
    with pytest.raises(WorkspaceConfigError, match="LOKET_SECRET_KEY is not set"):
        load_secrets(Settings(service_token=TEST_TOKEN))
    monkeypatch.setenv("LOKET_SECRET_KEY", "too-short")
    with pytest.raises(WorkspaceConfigError, match="too short"):
        load_secrets(Settings(service_token=TEST_TOKEN))
    monkeypatch.setenv("LOKET_COOKIE_SECURE", "true")
    monkeypatch.setenv("LOKET_SECRET_KEY", "k" * 40)
    assert load_secrets(Settings(service_token=TEST_TOKEN)).cookie_secure


async def test_without_a_secret_the_workspace_explains_itself(aiohttp_client, monkeypatch):
    from router.app import create_app
    from router.settings import Settings
    from tests.workspace.conftest import TEST_TOKEN

    monkeypatch.delenv("LOKET_SECRET_KEY")
    client = await aiohttp_client(
        create_app(Settings(service_token=TEST_TOKEN, org_file=SAMPLE_ORG))
    )
    resp = await client.get("/staff/login")
    assert resp.status == 503 and "LOKET_SECRET_KEY" in await resp.text()
    assert (await client.get("/api/health")).status == 200
