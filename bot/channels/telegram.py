"""Telegram as a Rasa input channel, on python-telegram-bot (v21+).

    bot.channels.telegram.TelegramInput:     (bot/credentials.yml; values from the environment)
      access_token: ${LOKET_TELEGRAM_TOKEN}        # from BotFather; empty: the channel is off
      secret_token: ${LOKET_TELEGRAM_SECRET}       # Telegram sends it back on every webhook call
      mode: ${LOKET_TELEGRAM_MODE}                 # webhook (default) or polling (development)
      ...

Webhook mode: POST /webhooks/telegram/webhook must carry X-Telegram-Bot-Api-Secret-Token;
without it, or with a wrong one, the answer is 403 and no conversation sees the update.
Polling mode (a developer without a public URL): getUpdates in a loop, no webhook.

Every update is taken through the router service first (POST /api/channel-updates), so the
same update delivered twice, to one Rasa process or two, is handled once; if handling fails
the update is released and answered 500, so that Telegram's retry gets through.

Who is writing: the channel asks the router whether the Telegram account is linked to a
municipal e-mail address (actions/linking.py links it) and puts that address in the
message metadata, {"email": ..., "identity": "telegram-link"}; a Telegram user can only send
text, never metadata, so the actions may believe it (actions/identity.py).

Replies are plain text (no parse mode: nothing to escape), split within 4096 characters;
Rasa buttons become an inline keyboard whose presses (callback queries) come back as the
button's payload. Logs: one line per event, no chat ids, names or texts.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from .router_link import RouterLink, RouterLinkError

# Each setting of the channel and the environment variable it comes from.
ENVIRONMENT = {
    "access_token": "LOKET_TELEGRAM_TOKEN",
    "secret_token": "LOKET_TELEGRAM_SECRET",
    "mode": "LOKET_TELEGRAM_MODE",
    "api_url": "LOKET_TELEGRAM_API_URL",
    "webhook_url": "LOKET_TELEGRAM_WEBHOOK_URL",
    "router_url": "LOKET_ROUTER_URL",
    "router_token": "LOKET_ASSISTANT_TOKEN",
}

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for a button's callback data
DEFAULT_API_URL = "https://api.telegram.org"
IDENTITY = "telegram-link"
# Telegram's commands, as words the assistant understands (a typed "/x" would otherwise be
# read by Rasa as an intent name).
COMMANDS = {"/start": "hoi", "/help": "wat kun je?", "/hulp": "wat kun je?"}


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """`text` in parts of at most `limit` characters, cut at a paragraph, line or word."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        # A paragraph's end if there is one in the second half, else a line's, else a word's.
        cuts = (window.rfind(sep) for sep in ("\n\n", "\n", " "))
        cut = next((c for c in cuts if c >= limit // 2), limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def callback_data(button: dict[str, Any]) -> str:
    """The button's payload, or its title when the payload exceeds Telegram's 64 bytes."""
    payload = str(button.get("payload") or button.get("title") or "")
    if len(payload.encode()) <= CALLBACK_DATA_LIMIT:
        return payload
    title = str(button.get("title") or "")
    return title.encode()[:CALLBACK_DATA_LIMIT].decode(errors="ignore")


def typed_text(text: str) -> str:
    """What the employee typed, as the assistant should read it: Telegram commands become
    words, and a leading "/" is dropped so that typing cannot name an intent directly."""
    stripped = text.strip()
    command = stripped.split(maxsplit=1)[0].split("@")[0].lower() if stripped else ""
    if command in COMMANDS:
        return COMMANDS[command]
    return stripped.lstrip("/") if stripped.startswith("/") else stripped


class TelegramOutput(OutputChannel):
    """Sends the assistant's answers to one Telegram chat."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    @classmethod
    def name(cls) -> str:
        return "telegram"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_text(text):
            await self.bot.send_message(chat_id=recipient_id, text=part)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(str(b.get("title", "")), callback_data=callback_data(b))]
             for b in buttons]
        )  # fmt: skip
        parts = split_text(text) or ["…"]
        for part in parts[:-1]:
            await self.bot.send_message(chat_id=recipient_id, text=part)
        await self.bot.send_message(chat_id=recipient_id, text=parts[-1], reply_markup=keyboard)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, image)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        logger.info("bot.telegram.custom_json_skipped")


class TelegramInput(InputChannel):
    """Telegram updates in (webhook or polling), the assistant's answers out."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        # Read here rather than through credentials.yml's ${...}: Rasa refuses to start when a
        # ${VARIABLE} is unset, and an empty one in an env file is dropped by process managers.
        given = {
            key: str((credentials or {}).get(key) or os.environ.get(variable, "")).strip()
            for key, variable in ENVIRONMENT.items()
        }
        mode = given.get("mode") or "webhook"
        if mode not in ("webhook", "polling"):
            raise ValueError(f"telegram: mode must be webhook or polling, not {mode!r}")
        return cls(
            access_token=given.get("access_token", ""),
            secret_token=given.get("secret_token", ""),
            mode=mode,
            api_url=given.get("api_url") or DEFAULT_API_URL,
            webhook_url=given.get("webhook_url", ""),
            router_url=given.get("router_url", ""),
            router_token=given.get("router_token", ""),
        )

    def __init__(
        self,
        access_token: str,
        secret_token: str,
        mode: str = "webhook",
        api_url: str = DEFAULT_API_URL,
        webhook_url: str = "",
        router_url: str = "",
        router_token: str = "",
    ) -> None:
        self.access_token = access_token
        self.secret_token = secret_token
        self.mode = mode
        self.api_url = api_url.rstrip("/")
        self.webhook_url = webhook_url
        self.router = RouterLink(router_url.rstrip("/"), router_token) if router_url else None
        self._bot: Bot | None = None
        self._polling: asyncio.Task | None = None
        self.enabled = bool(access_token and self.router and router_token)
        if not self.enabled:
            logger.warning(
                "bot.telegram.disabled reason=%s",
                "no access token" if not access_token else "no router url or token",
            )
        elif mode == "webhook" and len(secret_token) < 16:
            raise ValueError("telegram: webhook mode needs a secret_token of 16+ characters")

    async def bot(self) -> Bot:
        if self._bot is None:
            bot = Bot(self.access_token, base_url=f"{self.api_url}/bot")
            await bot.initialize()  # getMe: a wrong token shows here, once
            self._bot = bot
        return self._bot

    def get_output_channel(self) -> OutputChannel | None:
        return TelegramOutput(self._bot) if self._bot else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram = Blueprint("telegram_webhook", __name__)

        @telegram.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        @telegram.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            given = request.headers.get(SECRET_HEADER, "")
            secret = self.secret_token
            if not (
                self.enabled and secret and hmac.compare_digest(given.encode(), secret.encode())
            ):
                logger.warning("bot.telegram.forbidden header=%s", "wrong" if given else "missing")
                return response.text("", status=403)
            try:
                update = Update.de_json(request.json, await self.bot())
            except (TypeError, ValueError, KeyError):
                return response.text("", status=400)
            if update is None:
                return response.text("", status=400)
            handled = await self.handle(update, on_new_message)
            return response.text("", status=200 if handled else 500)

        @telegram.listener("after_server_start")
        async def start(app: Any, loop: Any) -> None:
            if not self.enabled:
                return
            bot = await self.bot()
            if self.mode == "polling":
                await bot.delete_webhook()
                self._polling = asyncio.ensure_future(self.poll(on_new_message))
                logger.info("bot.telegram.polling")
            elif self.webhook_url:
                await bot.set_webhook(
                    self.webhook_url, secret_token=self.secret_token,
                    allowed_updates=["message", "callback_query"],
                )  # fmt: skip
                logger.info("bot.telegram.webhook_set")

        @telegram.listener("before_server_stop")
        async def stop(app: Any, loop: Any) -> None:
            if self._polling is not None:
                self._polling.cancel()
            if self._bot is not None:
                await self._bot.shutdown()

        return telegram

    async def poll(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Development: long-poll getUpdates and handle each update like a webhook call."""
        offset = 0
        bot = await self.bot()
        while True:
            try:
                updates = await bot.get_updates(offset=offset, timeout=20)
            except TelegramError as exc:
                logger.warning("bot.telegram.poll_failed error=%s", type(exc).__name__)
                await asyncio.sleep(2)
                continue
            for update in updates:
                if await self.handle(update, on_new_message):
                    offset = update.update_id + 1

    async def handle(
        self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> bool:
        """One update, once: False when handling failed (released for Telegram's retry)."""
        assert self.router is not None  # enabled
        try:
            if not await self.router.claim_update(update.update_id):
                logger.info("bot.telegram.update_repeated")
                return True
        except RouterLinkError as exc:
            logger.error("bot.telegram.router_unavailable error=%s", exc)
            return False
        try:
            await self._dispatch(update, on_new_message)
        except Exception:  # noqa: BLE001 - logged, released, and Telegram retries
            logger.exception("bot.telegram.update_failed")
            try:
                await self.router.release_update(update.update_id)
            except RouterLinkError:
                logger.error("bot.telegram.release_failed")
            return False
        return True

    async def _dispatch(
        self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        bot = await self.bot()
        output = TelegramOutput(bot)
        query = update.callback_query
        if query is not None:
            await query.answer()
            user, chat, text = (
                query.from_user,
                query.message.chat if query.message else None,
                query.data or "",
            )
        else:
            message = update.message
            if message is None or message.from_user is None:
                logger.info("bot.telegram.update_skipped")
                return
            user, chat = message.from_user, message.chat
            if message.text is None:
                await bot.send_message(
                    chat_id=chat.id, text="Ik kan alleen tekst lezen. Typ je vraag maar."
                )
                return
            text = typed_text(message.text)
        if chat is None or chat.type != "private":
            if chat is not None:
                await bot.send_message(
                    chat_id=chat.id,
                    text="Ik help je graag in een privégesprek met mij, niet in een groep.",
                )
            return
        sender = str(user.id)
        metadata = await self._identity(sender)
        await on_new_message(
            UserMessage(text, output, sender, input_channel=self.name(), metadata=metadata)
        )
        logger.info(
            "bot.telegram.message kind=%s linked=%s", "button" if query else "text", bool(metadata)
        )

    async def _identity(self, sender: str) -> dict[str, Any]:
        """The linked e-mail address as message metadata; {} when unlinked or unknown."""
        assert self.router is not None
        try:
            link = await self.router.linked(sender)
        except RouterLinkError as exc:
            logger.error("bot.telegram.identity_unavailable error=%s", exc)
            return {}
        if link.get("linked") and link.get("email"):
            return {"email": link["email"], "identity": IDENTITY}
        return {}
