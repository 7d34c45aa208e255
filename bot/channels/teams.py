"""Microsoft Teams (Bot Framework) as a Rasa input channel, built on Rasa's botframework one.

    bot.channels.teams.TeamsInput:            (bot/credentials.yml; values from the environment)
      LOKET_TEAMS_APP_ID         the bot's Microsoft app id; empty: the channel is off
      LOKET_TEAMS_APP_PASSWORD   its client secret (for the connector's token)
      LOKET_TEAMS_OPENID_URL     empty: Microsoft's OpenID metadata (tests: a local fake)
      LOKET_TEAMS_TOKEN_URL      empty: Microsoft's token endpoint (tests: a local fake)

Rasa 3.6's BotFrameworkInput fetches Microsoft's keys in its constructor, from fixed URLs, with
blocking calls; this subclass leaves that to bot/channels/botframework.py: keys from the
configured metadata URL when first needed, kept a day, one refresh for an unknown key id.

POST /webhooks/msteams/webhook: the Authorization header must hold a JWT signed (RS256) by one
of those keys, issued by https://api.botframework.com for our app id (audience), not expired,
endorsed for msteams, and naming the activity's serviceUrl; otherwise 401 and no conversation
sees the activity.

Who is writing: the sender's Azure AD tenant (channelData.tenant.id) names the municipality
(`teams_tenants` in the organisation file, read from the router's catalogue); a tenant of no
municipality gets a polite Dutch refusal. The e-mail address and AAD object id come from the
connector itself (GET {serviceUrl}/v3/conversations/{id}/members/{user}, with our token), and
go into the message metadata as {"email", "aad_object_id", "tenant_id", "municipality",
"identity": "teams-aad", "teams_address"}; actions/identity.py believes them on this channel.
The sender id is the AAD object id, the same in every conversation.

Replies go to {serviceUrl}/v3/conversations/{id}/activities with a token from the token
endpoint (client credentials); Rasa buttons become a hero card of messageBack buttons whose
press comes back as the button's payload. Logs: one line per event, no texts or addresses.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.botframework import BotFrameworkInput
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from .botframework import (
    DEFAULT_OPENID_URL,
    DEFAULT_TOKEN_URL,
    Connector,
    KeyCache,
    TeamsError,
    Unauthorized,
    verify_token,
)
from .router_link import RouterLink, RouterLinkError

ENVIRONMENT = {
    "app_id": "LOKET_TEAMS_APP_ID",
    "app_password": "LOKET_TEAMS_APP_PASSWORD",
    "openid_url": "LOKET_TEAMS_OPENID_URL",
    "token_url": "LOKET_TEAMS_TOKEN_URL",
    "router_url": "LOKET_ROUTER_URL",
    "router_token": "LOKET_ASSISTANT_TOKEN",
}
CHANNEL_ID = "msteams"
IDENTITY = "teams-aad"
CATALOGUE_LIFETIME = 60.0  # tenant ids change with the organisation file, rarely
BUTTON = "loket_button"  # the messageBack value's key that carries a button's payload

logger = logging.getLogger(__name__)

REFUSED_TENANT = (
    "Sorry, ik help alleen medewerkers van de gemeenten die bij onze ICT-samenwerking horen, "
    "en jouw organisatie hoort daar niet bij. Heb je een ICT-vraag? Neem dan contact op met "
    "je eigen servicedesk."
)
ONLY_PRIVATE = "Ik help je graag in een privégesprek met mij, niet in een kanaal of groep."
UNKNOWN_PERSON = "Ik kan nu niet nagaan wie je bent. Probeer het over een paar minuten opnieuw."


def hero_card(text: str, buttons: list[dict[str, Any]]) -> dict[str, Any]:
    """Rasa buttons as a hero card Teams renders: a press sends the payload back (as the
    activity's value), while the chat shows the button's title."""
    actions = []
    for button in buttons:
        title = str(button.get("title") or "")
        payload = str(button.get("payload") or title)
        actions.append({"type": "messageBack", "title": title, "displayText": title,
                        "text": title, "value": {BUTTON: payload}})  # fmt: skip
    return {"contentType": "application/vnd.microsoft.card.hero",
            "content": {"text": text, "buttons": actions}}  # fmt: skip


def activity_key(activity: dict[str, Any]) -> str | None:
    """The id under which a message activity is taken once: a digest of its conversation and
    activity id (ids are unique within a conversation); None for other activities."""
    conversation = str((activity.get("conversation") or {}).get("id") or "")
    if activity.get("type") != "message" or not activity.get("id") or not conversation:
        return None
    return hashlib.sha256(f"{conversation}\n{activity['id']}".encode()).hexdigest()[:40]


def typed_text(activity: dict[str, Any]) -> str:
    """What the employee said: a button's payload, or the typed text (a leading "/" dropped,
    so that typing cannot name an intent directly)."""
    value = activity.get("value")
    if isinstance(value, dict) and isinstance(value.get(BUTTON), str):
        return value[BUTTON]
    text = str(activity.get("text") or "").strip()
    return text.lstrip("/") if text.startswith("/") else text


class TeamsOutput(OutputChannel):
    """Sends the assistant's answers into one Teams conversation."""

    def __init__(self, connector: Connector, activity: dict[str, Any]) -> None:
        self.connector = connector
        self.service_url = str(activity["serviceUrl"])
        self.conversation_id = str(activity["conversation"]["id"])
        self.bot = activity.get("recipient") or {}
        self.user = activity.get("from") or {}
        self.reply_to = activity.get("id")

    @classmethod
    def name(cls) -> str:
        return CHANNEL_ID

    def _activity(self, recipient_id: str, **fields: Any) -> dict[str, Any]:
        # Rasa's recipient id is the AAD object id; the connector wants the Teams user id.
        recipient = {"id": self.user.get("id") or recipient_id}
        activity = {"type": "message", "from": self.bot, "recipient": recipient,
                    "conversation": {"id": self.conversation_id}, **fields}  # fmt: skip
        if self.reply_to:
            activity["replyToId"] = self.reply_to
        return activity

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        activity = self._activity(recipient_id, text=text, textFormat="plain")
        await self.connector.send(self.service_url, self.conversation_id, activity)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        activity = self._activity(recipient_id, attachments=[hero_card(text, buttons)])
        await self.connector.send(self.service_url, self.conversation_id, activity)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, image)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        logger.info("bot.teams.custom_json_skipped")


class TeamsInput(BotFrameworkInput):
    """Teams activities in (verified), the assistant's answers out to the service URL."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_ID

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        # From the environment, like the Telegram channel: Rasa refuses an unset ${VARIABLE}.
        given = {
            key: str((credentials or {}).get(key) or os.environ.get(variable, "")).strip()
            for key, variable in ENVIRONMENT.items()
        }
        return cls(
            app_id=given["app_id"],
            app_password=given["app_password"],
            openid_url=given["openid_url"] or DEFAULT_OPENID_URL,
            token_url=given["token_url"] or DEFAULT_TOKEN_URL,
            router_url=given["router_url"],
            router_token=given["router_token"],
        )

    def __init__(  # noqa: PLR0913 - each a setting of its own
        self,
        app_id: str,
        app_password: str,
        openid_url: str = DEFAULT_OPENID_URL,
        token_url: str = DEFAULT_TOKEN_URL,
        router_url: str = "",
        router_token: str = "",
    ) -> None:
        # Not BotFrameworkInput.__init__: it fetches Microsoft's keys from fixed URLs at once.
        self.app_id = app_id
        self.app_password = app_password
        self.keys = KeyCache(openid_url)
        self.connector = Connector(app_id, app_password, token_url)
        self.router = (
            RouterLink(router_url.rstrip("/"), router_token, channel=CHANNEL_ID)
            if router_url
            else None
        )
        self._tenants: dict[str, str] = {}
        self._tenants_at = float("-inf")
        self.enabled = bool(app_id and app_password and self.router and router_token)
        if not self.enabled:
            logger.warning(
                "bot.teams.disabled reason=%s",
                "no app id or password" if not (app_id and app_password) else "no router",
            )

    async def verify(self, authorization: str | None, activity: dict[str, Any]) -> dict:
        """The token's claims when it is the Bot Framework's, for us and this activity."""
        return await verify_token(self.keys, self.app_id, authorization, activity)

    async def municipality_of_tenant(self, tenant_id: str) -> str | None:
        """The municipality's key for an Azure AD tenant, from the router's catalogue."""
        assert self.router is not None  # enabled
        if time.monotonic() - self._tenants_at > CATALOGUE_LIFETIME:
            catalogue = await self.router.catalogue()
            self._tenants = {
                str(tenant).lower(): str(m["key"])
                for m in catalogue.get("municipalities", [])
                for tenant in m.get("teams_tenants") or []
            }
            self._tenants_at = time.monotonic()
        return self._tenants.get(tenant_id.lower()) if tenant_id else None

    def get_output_channel(self) -> OutputChannel | None:
        return None  # answers need the conversation's service URL: one per activity

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        teams = Blueprint("msteams_webhook", __name__)

        @teams.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        @teams.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            try:
                activity = request.json
            except Exception:  # noqa: BLE001 - sanic raises its own for a body that is not JSON
                activity = None
            if not self.enabled or not isinstance(activity, dict):
                logger.warning("bot.teams.unauthorized reason=%s",
                               "disabled" if not self.enabled else "not json")  # fmt: skip
                return response.text("", status=401)
            try:
                await self.verify(request.headers.get("Authorization"), activity)
            except Unauthorized as exc:
                logger.warning("bot.teams.unauthorized reason=%s", exc)
                return response.text("", status=401)
            handled = await self.handle_once(activity, on_new_message)
            return response.text("", status=200 if handled else 500)

        return teams

    async def handle_once(
        self, activity: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> bool:
        """One activity, once (by any Rasa process): a repeat is skipped; False when handling
        failed (the activity is released, so that the Bot Framework's retry gets through)."""
        assert self.router is not None  # enabled
        key = activity_key(activity)
        try:
            if key and not await self.router.claim_update(key):
                logger.info("bot.teams.activity_repeated")
                return True
        except RouterLinkError as exc:
            logger.error("bot.teams.router_unavailable error=%s", exc)
            return False
        try:
            await self.handle(activity, on_new_message)
        except Exception:  # noqa: BLE001 - logged, released, and the Bot Framework retries
            logger.exception("bot.teams.activity_failed")
            if key:
                try:
                    await self.router.release_update(key)
                except RouterLinkError:
                    logger.error("bot.teams.release_failed")
            return False
        return True

    async def handle(
        self, activity: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        if activity.get("type") != "message" or activity.get("channelId") != CHANNEL_ID:
            logger.info("bot.teams.activity_skipped type=%s", activity.get("type"))
            return
        output = TeamsOutput(self.connector, activity)
        sender = activity.get("from") or {}
        conversation = activity.get("conversation") or {}
        tenant = str(((activity.get("channelData") or {}).get("tenant") or {}).get("id")
                     or conversation.get("tenantId") or "")  # fmt: skip
        municipality = await self.municipality_of_tenant(tenant)
        if municipality is None:
            await output.send_text_message(str(sender.get("id", "")), REFUSED_TENANT)
            logger.info("bot.teams.tenant_refused")
            return
        if conversation.get("conversationType", "personal") != "personal":
            await output.send_text_message(str(sender.get("id", "")), ONLY_PRIVATE)
            logger.info("bot.teams.not_personal")
            return
        try:
            member = await self.connector.member(
                output.service_url, output.conversation_id, str(sender.get("id", ""))
            )
        except TeamsError as exc:
            logger.error("bot.teams.member_unavailable error=%s", exc)
            await output.send_text_message(str(sender.get("id", "")), UNKNOWN_PERSON)
            return
        object_id = str(member.get("aadObjectId") or sender.get("aadObjectId") or "")
        email = str(member.get("email") or member.get("userPrincipalName") or "").strip().lower()
        member_tenant = str(member.get("tenantId") or tenant).lower()
        if not object_id or "@" not in email or member_tenant != tenant.lower():
            logger.warning("bot.teams.identity_incomplete")
            await output.send_text_message(str(sender.get("id", "")), UNKNOWN_PERSON)
            return
        address = json.dumps({"service_url": output.service_url,
                              "conversation": output.conversation_id})  # fmt: skip
        metadata = {"email": email, "identity": IDENTITY, "aad_object_id": object_id,
                    "tenant_id": tenant.lower(), "municipality": municipality,
                    "teams_address": address}  # fmt: skip
        text = typed_text(activity)
        await on_new_message(
            UserMessage(text, output, object_id, input_channel=CHANNEL_ID, metadata=metadata)
        )
        logger.info("bot.teams.message kind=%s",
                    "button" if isinstance(activity.get("value"), dict) else "text")  # fmt: skip
