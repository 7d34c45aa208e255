"""The router client keeps its HTTP connection alive across calls (one TCP connection per
bot turn was a good part of a turn's time), and sends a request once more when a kept-alive
connection turns out closed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from actions.router_client import RouterClient, RouterUnavailable, close_sessions


@pytest.fixture
async def catalogue_server() -> AsyncIterator[tuple[str, list[int]]]:
    peers: list[int] = []

    async def catalogue(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername")[1])  # type: ignore[union-attr]
        return web.json_response({"municipalities": []})

    app = web.Application()
    app.router.add_get("/api/catalogue", catalogue)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", peers
    finally:
        await close_sessions()
        await runner.cleanup()


async def test_calls_share_one_kept_alive_connection(catalogue_server):
    url, peers = catalogue_server
    for _ in range(3):
        client = RouterClient(base_url=url, token="t" * 20)  # a new client per action, as now
        assert await client.catalogue() == {"municipalities": []}
    assert len(peers) == 3 and len(set(peers)) == 1


async def test_a_closed_kept_alive_connection_is_tried_once_more(catalogue_server, monkeypatch):
    url, peers = catalogue_server
    real_send = RouterClient._send
    failures = iter([aiohttp.ServerDisconnectedError()])

    async def flaky_send(self, *args, **kwargs):
        for failure in failures:
            raise failure
        return await real_send(self, *args, **kwargs)

    monkeypatch.setattr(RouterClient, "_send", flaky_send)
    assert await RouterClient(base_url=url, token="t" * 20).catalogue() == {"municipalities": []}
    assert len(peers) == 1


async def test_twice_closed_is_unavailable(monkeypatch):
    async def closed(self, *args, **kwargs):
        raise aiohttp.ServerDisconnectedError()

    monkeypatch.setattr(RouterClient, "_send", closed)
    with pytest.raises(RouterUnavailable):
        await RouterClient(base_url="http://127.0.0.1:9", token="t" * 20).catalogue()

