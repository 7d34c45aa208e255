"""A local stand-in for Telegram's Bot API (https://core.telegram.org/bots/api), enough for
the connector (bot/channels/telegram.py) and the service's sender: getMe, sendMessage,
answerCallbackQuery, setWebhook, deleteWebhook, getUpdates, editMessageReplyMarkup.

Runs an aiohttp server on loopback in a thread of its own; `down` makes sendMessage fail
with 502 (the channel away for a while). Python 3.10 compatible: the action tests may use it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {"id": 424242, "is_bot": True, "first_name": "Loket", "username": "loket_test_bot"}


@dataclass
class FakeTelegram:
    token: str = "123456:TEST-token-for-the-fake-bot-api"
    down: bool = False
    sent: list = field(default_factory=list)  # every sendMessage that succeeded (dicts)
    calls: list = field(default_factory=list)  # (method, params) of every call
    updates: list = field(default_factory=list)  # queued for getUpdates
    webhook: dict | None = None
    port: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        """The API root, as the service's sender takes it (`{root}/bot{token}/{method}`)."""
        return f"http://127.0.0.1:{self.port}"

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        if token != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params = await _params(request)
        with self._lock:
            self.calls.append((method, params))
        if method == "getMe":
            return _ok(BOT_USER)
        if method == "sendMessage":
            if self.down:
                return web.json_response(
                    {"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502
                )
            message = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params.get("text", ""),
            }
            with self._lock:
                self.sent.append(dict(params, message_id=message["message_id"]))
            return _ok(message)
        if method in ("answerCallbackQuery", "editMessageReplyMarkup", "deleteWebhook"):
            if method == "deleteWebhook":
                self.webhook = None
            return _ok(True)
        if method == "setWebhook":
            self.webhook = params
            return _ok(True)
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            with self._lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                pending = list(self.updates)
            if not pending:
                await asyncio.sleep(min(float(params.get("timeout") or 0), 0.5))
            return _ok(pending)
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
            status=404,
        )

    def texts_to(self, chat_id: int) -> list:
        with self._lock:
            return [m.get("text", "") for m in self.sent if int(m["chat_id"]) == chat_id]

    def start(self) -> FakeTelegram:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            app.router.add_route("*", "/bot{token}/{method}", self._handle)
            runner = web.AppRunner(app)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", self.port)
            loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self._runner = runner
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


async def _params(request: web.Request) -> dict:
    """Bot API parameters come as JSON, form or multipart (python-telegram-bot: form)."""
    params: dict = dict(request.query)
    if request.content_type == "application/json":
        body = await request.read()
        params.update(json.loads(body or b"{}"))
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                try:
                    params[key] = json.loads(value) if value[:1] in "[{" else value
                except ValueError:
                    params[key] = value
    return params


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})
