"""A small load balancer for the scale-out test: each conversation's turns alternate between
the Rasa servers behind it (turn n of a sender goes to server n mod 2), and a server that
refuses the connection is passed over, as a load balancer's health check would."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter

import aiohttp
from aiohttp import web

from tests.e2e.stack import free_port


class RoundRobin:
    def __init__(self, backends: list[str]) -> None:
        self.backends = backends  # base URLs, e.g. http://127.0.0.1:5005
        self.turns: Counter[str] = Counter()
        self.served: list[tuple[str, str]] = []  # (sender, backend) per answered turn
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/rest/webhook"

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._forward)
        runner = web.AppRunner(app)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())
        self._loop.close()

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        sender = str(json.loads(body).get("sender"))
        first = self.turns[sender] % len(self.backends)
        self.turns[sender] += 1
        order = self.backends[first:] + self.backends[:first]
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for backend in order:
                try:
                    async with session.post(f"{backend}/webhooks/rest/webhook", data=body,
                                            headers={"Content-Type": "application/json"}) as answer:
                        text = await answer.read()
                except aiohttp.ClientConnectionError:
                    continue  # that server is down: the next one takes the turn
                self.served.append((sender, backend))
                return web.Response(body=text, status=answer.status,
                                    content_type="application/json")  # fmt: skip
        return web.json_response({"error": "no Rasa server answered"}, status=502)
