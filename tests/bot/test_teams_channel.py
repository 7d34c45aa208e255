"""The Teams channel against a local fake of the Bot Framework (keys, token, connector):
tokens are verified against the fake's published key, a tenant names the municipality, the
verified identity goes into the message metadata, and answers go to the service URL.
The HTTP side (401 on the Rasa server) is in tests/e2e/test_teams.py."""

from __future__ import annotations

import json

import pytest

from bot.channels.botframework import Unauthorized
from bot.channels.teams import (
    IDENTITY,
    REFUSED_TENANT,
    TeamsInput,
    TeamsOutput,
    hero_card,
    typed_text,
)
from tests.fakes.botframework import FakeBotFramework, TestKey

DYK_TENANT = "0d1e2f30-4a5b-4c6d-8e7f-0123456789ab"
OTHER_TENANT = "99999999-8888-4777-8666-555555555555"
CATALOGUE = {"municipalities": [{"key": "DYK", "teams_tenants": [DYK_TENANT]},
                                {"key": "PLW", "teams_tenants": []}]}  # fmt: skip


class FakeRouter:
    def __init__(self) -> None:
        self.calls = 0
        self.taken: set = set()

    async def catalogue(self) -> dict:
        self.calls += 1
        return CATALOGUE

    async def claim_update(self, key) -> bool:
        first = key not in self.taken
        self.taken.add(key)
        return first

    async def release_update(self, key) -> None:
        self.taken.discard(key)


@pytest.fixture(scope="module")
def fake():
    server = FakeBotFramework().start()
    server.add_member("29:anna", "Anna.Jansen@Dijkstede.nl", "aad-anna", DYK_TENANT)
    server.add_member("29:eve", "eve@elders.example", "aad-eve", OTHER_TENANT)
    yield server
    server.stop()


@pytest.fixture
def channel(fake):
    teams = TeamsInput(fake.app_id, fake.app_password, openid_url=fake.openid_url,
                       token_url=fake.token_url, router_url="http://router.invalid",
                       router_token="assistant-token-0123456789")  # fmt: skip
    teams.router = FakeRouter()  # type: ignore[assignment]
    return teams


def test_the_channel_is_off_without_an_app_id(monkeypatch):
    for variable in ("LOKET_TEAMS_APP_ID", "LOKET_TEAMS_APP_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LOKET_ROUTER_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LOKET_ASSISTANT_TOKEN", "assistant-token-0123456789")
    assert TeamsInput.from_credentials(None).enabled is False  # and nothing was fetched


async def test_a_token_signed_by_the_published_key_for_our_app_passes(channel, fake):
    activity = fake.activity("29:anna", "hoi", DYK_TENANT)
    claims = await channel.verify(fake.authorization(activity), activity)
    assert claims["aud"] == fake.app_id


@pytest.mark.parametrize(
    "spoil",
    [
        lambda fake, a: None,  # no header
        lambda fake, a: "Basic abc",
        lambda fake, a: "Bearer not.a.token",
        lambda fake, a: fake.authorization(a, aud="another-app"),
        lambda fake, a: fake.authorization(a, iss="https://evil.example"),
        lambda fake, a: fake.authorization(a, exp=1_000_000_000),
        lambda fake, a: fake.authorization(a, serviceurl="https://evil.example/"),
        lambda fake, a: "Bearer " + TestKey(kid=fake.key.kid).sign(
            {"iss": "https://api.botframework.com", "aud": fake.app_id, "exp": 4_000_000_000}),
    ],
    ids=["missing", "not-bearer", "malformed", "audience", "issuer", "expired", "service-url",
         "other-key-same-kid"],
)  # fmt: skip
async def test_anything_else_is_unauthorized(channel, fake, spoil):
    activity = fake.activity("29:anna", "hoi", DYK_TENANT)
    with pytest.raises(Unauthorized):
        await channel.verify(spoil(fake, activity), activity)


async def test_keys_are_cached_and_an_unknown_kid_refreshes_once(channel, fake, monkeypatch):
    activity = fake.activity("29:anna", "hoi", DYK_TENANT)
    before = fake.key_fetches
    for _ in range(3):
        await channel.verify(fake.authorization(activity), activity)
    assert fake.key_fetches == before + 1  # fetched once, then from the cache
    monkeypatch.setattr("bot.channels.botframework.UNKNOWN_KID_PAUSE", 0.0)
    stranger = "Bearer " + fake.key.sign({"aud": fake.app_id}, kid="unknown-kid")
    with pytest.raises(Unauthorized):
        await channel.verify(stranger, activity)
    assert fake.key_fetches == before + 2  # one refresh for the unknown key id


async def test_a_verified_message_carries_the_employee_and_is_answered(channel, fake):
    received = []

    async def on_new_message(message):
        received.append(message)
        await message.output_channel.send_text_with_buttons(
            message.sender_id, "Hoeveel mensen?", [{"title": "alleen ik", "payload": "1"}]
        )

    activity = fake.activity("29:anna", "/restart", DYK_TENANT)
    await channel.handle(activity, on_new_message)
    [message] = received
    assert (message.text, message.sender_id, message.input_channel) == (
        "restart", "aad-anna", "msteams")  # fmt: skip
    assert message.metadata["email"] == "anna.jansen@dijkstede.nl"
    assert message.metadata["identity"] == IDENTITY
    assert (message.metadata["municipality"], message.metadata["tenant_id"]) == ("DYK", DYK_TENANT)
    assert json.loads(message.metadata["teams_address"]) == {
        "service_url": fake.service_url, "conversation": "a:conv-29:anna"}  # fmt: skip
    conversation, reply = fake.activities[-1]
    assert conversation == "a:conv-29:anna" and reply["recipient"] == {"id": "29:anna"}
    [card] = reply["attachments"]
    assert card["contentType"] == "application/vnd.microsoft.card.hero"
    assert card["content"]["buttons"][0]["value"] == {"loket_button": "1"}
    pressed = fake.activity("29:anna", "alleen ik", DYK_TENANT, value={"loket_button": "1"})
    await channel.handle(pressed, on_new_message)
    assert received[-1].text == "1"


async def test_a_tenant_of_no_municipality_is_refused_politely(channel, fake):
    received = []

    async def on_new_message(message):
        received.append(message)

    await channel.handle(fake.activity("29:eve", "hoi", OTHER_TENANT), on_new_message)
    assert received == []
    assert fake.texts_to("a:conv-29:eve")[-1] == REFUSED_TENANT


async def test_an_activity_is_handled_once_and_released_when_handling_fails(channel, fake):
    received = []

    async def on_new_message(message):
        received.append(message)

    activity = fake.activity("29:anna", "ja", DYK_TENANT)
    assert await channel.handle_once(activity, on_new_message)
    assert await channel.handle_once(activity, on_new_message)  # the Bot Framework's retry
    assert len(received) == 1

    async def broken(message):
        raise RuntimeError("the assistant fell over")

    failing = fake.activity("29:anna", "nee", DYK_TENANT)
    assert not await channel.handle_once(failing, broken)
    assert await channel.handle_once(failing, on_new_message)  # released: the retry gets in
    assert [m.text for m in received] == ["ja", "nee"]


def test_buttons_and_typed_text():
    card = hero_card("Klopt dit?", [{"title": "ja", "payload": "/affirm"}])
    assert card["content"]["buttons"][0]["title"] == "ja"
    assert typed_text({"text": " mijn printer "}) == "mijn printer"
    assert typed_text({"text": "ja", "value": {"loket_button": "/affirm"}}) == "/affirm"
    assert TeamsOutput.name() == "msteams"
