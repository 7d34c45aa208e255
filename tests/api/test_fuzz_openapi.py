"""Fuzzing the JSON API from its own OpenAPI document (schemathesis): whatever a client
sends, valid or not, the answer is never a 5xx.

The real app runs in-process on a free port (aiohttp's runner in a thread, SQLite), serves
/api/openapi.json, and schemathesis generates requests for every operation from it, both
valid and invalid ones (wrong types, missing fields, odd strings, huge numbers, odd
headers), authorised with the service token.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from router.app import create_app
from router.settings import Settings
from router.store.migrate import upgrade
from tests.api.test_api import AUTH, ticket_body
from tests.fixtures import SAMPLE_ORG, TEST_TOKEN

# Examples per operation (16 operations): about 1,600 requests, 20-30 s on 2 cores.
EXAMPLES = 100


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def live_api(tmp_path_factory, org) -> Iterator[str]:
    from aiohttp import web

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'loket.db'}"
    upgrade(url)
    settings_ = Settings(service_token=TEST_TOKEN, database_url=url, org_file=SAMPLE_ORG)
    app = create_app(settings_, org)
    port = _free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(30)
    yield f"http://127.0.0.1:{port}"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()  # else its sockets are found unclosed later, failing whichever test runs then


def test_no_generated_request_gets_a_5xx(live_api):
    import requests

    # A few tickets, so that generated references sometimes exist.
    for _ in range(3):
        resp = requests.post(
            f"{live_api}/api/tickets", json=ticket_body(), headers=AUTH, timeout=10
        )
        assert resp.status_code == 201, resp.text
    schema = schemathesis.openapi.from_url(f"{live_api}/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    started, calls = time.monotonic(), 0
    session = requests.Session()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,  # the same examples every run: a failure here is reproducible
            database=None,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(
                base_url=live_api, session=session, headers=AUTH, checks=[not_a_server_error]
            )

        check()
    elapsed = time.monotonic() - started
    print(f"fuzz: {calls} requests over {len(operations)} operations in {elapsed:.1f} s")
    assert calls >= 10 * len(operations)
