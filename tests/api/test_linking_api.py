"""Linking a Telegram account by a code mailed to the municipal address (a real aiosmtpd
server on loopback), on the assistant's token; Telegram updates taken once."""

from __future__ import annotations

import pytest

from router.app import create_app
from router.settings import Settings
from tests.api.test_auth_scopes import ASSISTANT, ASSISTANT_TOKEN
from tests.fakes.smtp import SmtpServer
from tests.fixtures import SAMPLE_ORG, TEST_TOKEN

ANNA = "anna.de.vries@dijkstede.nl"


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
async def api(aiohttp_client, database_url, org, smtp):
    settings = Settings(
        service_token=TEST_TOKEN, assistant_token=ASSISTANT_TOKEN, database_url=database_url,
        org_file=SAMPLE_ORG, smtp_host="127.0.0.1", smtp_port=smtp.port,
        smtp_from="loket@delta.example",
    )  # fmt: skip
    return await aiohttp_client(create_app(settings, org))


async def _post(api, path, body):
    resp = await api.post(path, json=body, headers=ASSISTANT)
    assert resp.status in (200, 201), await resp.text()
    return await resp.json()


def _start(sender="7001", email=ANNA):
    return {"channel": "telegram", "sender_id": sender, "email": email}


def _confirm(code, sender="7001"):
    return {"channel": "telegram", "sender_id": sender, "code": code}


async def test_a_code_by_mail_links_the_account_to_one_employee_record(api, smtp):
    started = await _post(api, "/api/links/start", _start(email="Anna.de.Vries@Dijkstede.nl"))
    assert started == {"result": "sent", "municipality": "Gemeente Dijkstede", "retry_after": None}
    [mail] = smtp.inbox.to(ANNA)
    assert mail["From"] == "loket@delta.example" and "Loket" in mail["Subject"]
    code = smtp.inbox.last_code(ANNA)
    wrong = "000000" if code != "000000" else "111111"
    assert (await _post(api, "/api/links/confirm", _confirm(wrong)))["tries_left"] == 2
    linked = await _post(api, "/api/links/confirm", _confirm(code))
    assert (linked["result"], linked["email"], linked["municipality"]) == (
        "linked",
        ANNA,
        "Gemeente Dijkstede",
    )
    assert (await _post(api, "/api/links/confirm", _confirm(code)))["result"] == "no_code"
    resp = await api.get("/api/links/telegram/7001", headers=ASSISTANT)
    assert await resp.json() == {
        "linked": True,
        "email": ANNA,
        "municipality": "Gemeente Dijkstede",
    }
    resp = await api.get("/api/links/telegram/7002", headers=ASSISTANT)
    assert (await resp.json())["linked"] is False
    # The same address from the REST channel (or Teams) is the same employee: one record.
    mine = await api.get("/api/my/tickets", params={"channel": "telegram", "sender_id": "7001"},
                         headers=ASSISTANT)  # fmt: skip
    assert mine.status == 200


async def test_an_address_of_no_municipality_gets_no_code(api, smtp):
    out = await _post(api, "/api/links/start", _start(email="iemand@gmail.com"))
    assert out["result"] == "unknown_domain"
    assert (await _post(api, "/api/links/start", _start(email="geen adres")))["result"] == (
        "invalid_email"
    )
    assert smtp.inbox.messages == []


async def test_three_wrong_codes_block_even_the_right_one(api, smtp):
    await _post(api, "/api/links/start", _start())
    code = smtp.inbox.last_code(ANNA)
    wrong = "000000" if code != "000000" else "111111"
    results = [(await _post(api, "/api/links/confirm", _confirm(wrong)))["result"]
               for _ in range(3)]  # fmt: skip
    assert results == ["wrong_code", "wrong_code", "blocked"]
    assert (await _post(api, "/api/links/confirm", _confirm(code)))["result"] == "blocked"
    assert (await _post(api, "/api/links/start", _start()))["result"] == "blocked"


async def test_codes_are_rate_limited_per_account_and_per_address(api, smtp):
    for _ in range(3):
        assert (await _post(api, "/api/links/start", _start()))["result"] == "sent"
    assert (await _post(api, "/api/links/start", _start()))["result"] == "rate_limited"
    # Another account asking for the same address: the address's own limit.
    assert (await _post(api, "/api/links/start", _start(sender="7009")))["result"] == (
        "rate_limited"
    )
    assert len(smtp.inbox.to(ANNA)) == 3


async def test_only_the_newest_code_works(api, smtp):
    await _post(api, "/api/links/start", _start())
    first = smtp.inbox.last_code(ANNA)
    await _post(api, "/api/links/start", _start())
    second = smtp.inbox.last_code(ANNA)
    if first != second:
        assert (await _post(api, "/api/links/confirm", _confirm(first)))["result"] == "wrong_code"
    assert (await _post(api, "/api/links/confirm", _confirm(second)))["result"] == "linked"


async def test_without_smtp_the_answer_says_so(aiohttp_client, database_url, org):
    settings = Settings(service_token=TEST_TOKEN, assistant_token=ASSISTANT_TOKEN,
                        database_url=database_url, org_file=SAMPLE_ORG)  # fmt: skip
    api = await aiohttp_client(create_app(settings, org))
    assert (await _post(api, "/api/links/start", _start()))["result"] == "mail_unavailable"


async def test_an_update_is_taken_once_until_released(api):
    body = {"channel": "telegram", "update_id": "900001"}
    first = await api.post("/api/channel-updates", json=body, headers=ASSISTANT)
    again = await api.post("/api/channel-updates", json=body, headers=ASSISTANT)
    assert (first.status, again.status) == (201, 200)
    assert (await again.json()) == {"first": False}
    released = await api.delete("/api/channel-updates/telegram/900001", headers=ASSISTANT)
    assert released.status == 200
    retried = await api.post("/api/channel-updates", json=body, headers=ASSISTANT)
    assert retried.status == 201


async def test_a_teams_activity_is_taken_once_by_its_digest(api):
    body = {"channel": "msteams", "update_id": "9f" * 20}
    first = await api.post("/api/channel-updates", json=body, headers=ASSISTANT)
    again = await api.post("/api/channel-updates", json=body, headers=ASSISTANT)
    assert (first.status, again.status) == (201, 200)
    other = await api.post("/api/channel-updates", json={**body, "channel": "slack"},
                           headers=ASSISTANT)  # fmt: skip
    assert other.status == 422
