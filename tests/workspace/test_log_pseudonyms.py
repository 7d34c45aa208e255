"""Staff pseudonyms in the logs are keyed (HMAC): not reversible by hashing guessed names."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
from structlog.testing import capture_logs

from router import logs
from router.logs import pseudonym, set_pseudonym_key
from tests.fixtures import SAMPLE_ORG, TEST_TOKEN
from tests.workspace.conftest import SECRET, sign_in


@pytest.fixture(autouse=True)
def _own_key(monkeypatch):
    monkeypatch.setattr(logs, "_PSEUDONYM_KEY", None)  # each test keys its own process state


def test_a_different_key_gives_a_different_pseudonym():
    set_pseudonym_key("first key " * 4)
    first = pseudonym("sanne")
    assert first == pseudonym(" Sanne ")  # stable, whatever the case and spaces
    set_pseudonym_key("second key " * 4)
    assert pseudonym("sanne") != first


def test_the_pseudonym_is_not_the_plain_hash_of_the_name():
    set_pseudonym_key("k" * 40)
    plain = hashlib.sha256(b"sanne").hexdigest()
    assert pseudonym("sanne").removeprefix("u-") not in plain
    unkeyed = pseudonym("sanne")
    assert unkeyed.startswith("u-") and len(unkeyed) == 14


def test_the_same_key_gives_the_same_pseudonym_in_another_process():
    set_pseudonym_key("shared key " * 4)
    code = (
        "from router.logs import *; set_pseudonym_key('shared key ' * 4); print(pseudonym('ada'))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    assert other.stdout.strip() == pseudonym("ada")


def test_without_a_key_it_is_still_keyed_never_plain():
    value = pseudonym("sanne")
    assert value.removeprefix("u-") not in hashlib.sha256(b"sanne").hexdigest()


@pytest.mark.parametrize("log_key", [None, "a dedicated log key, 32 characters or more"])
async def test_the_workspace_keys_its_log_lines(
    aiohttp_client, database_url, org, accounts, log_key
):
    from router.app import create_app
    from router.settings import Settings

    settings = Settings(
        service_token=TEST_TOKEN, database_url=database_url, org_file=SAMPLE_ORG, log_key=log_key
    )
    client = await aiohttp_client(create_app(settings, org))
    with capture_logs() as captured:
        assert (await sign_in(client, "sanne")).status == 303
    staff = next(e["staff"] for e in captured if e["event"] == "router.workspace.signed_in")
    set_pseudonym_key(log_key or SECRET)
    assert staff == pseudonym("sanne")
    assert staff.removeprefix("u-") not in hashlib.sha256(b"sanne").hexdigest()


def test_the_log_key_comes_from_loket_log_key(monkeypatch):
    from router.settings import Settings

    monkeypatch.setenv("LOKET_LOG_KEY", "from the environment " * 2)
    key = Settings(service_token=TEST_TOKEN).log_key
    assert key is not None and key.get_secret_value() == "from the environment " * 2
