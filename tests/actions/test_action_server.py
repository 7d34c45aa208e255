"""The action server (actions/server.py) as a process: loopback only, and no action runs
without the shared secret LOKET_ACTION_TOKEN. Actions call the real router service."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import rasa_sdk

from tests.actions.conftest import ASSISTANT_TOKEN, ROOT, Router, make_tracker

PYTHON = ROOT / "bot" / ".venv" / "bin" / "python"
ACTION_TOKEN = "action-server-test-token-0123456789"


@dataclass
class ActionServer:
    url: str
    port: int
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("VIRTUAL_ENV", "PYTHON", "LOKET_"))}
    env.update(RASA_TELEMETRY_ENABLED="false", **extra)
    return env


@pytest.fixture(scope="module")
def action_server(router: Router, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServer]:
    port = _free_port()
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    env = _env(LOKET_ACTION_TOKEN=ACTION_TOKEN, LOKET_ASSISTANT_TOKEN=ASSISTANT_TOKEN,
               LOKET_ROUTER_URL=router.url, LOKET_TRUST_REST_EMAIL="true")
    with log.open("w") as out:
        process = subprocess.Popen([str(PYTHON), "-m", "actions.server", "--port", str(port)],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.3)
    try:
        yield ActionServer(url=url, port=port, log=log)
    finally:
        process.terminate()
        process.wait(timeout=20)


def _call(server: ActionServer, email: str, query: str = "", headers: dict | None = None) -> tuple[int, dict]:
    tracker = make_tracker("ja", intent="affirm", email=email, sender=f"server-{email}", slots={
        "ticket_kind": "incident", "municipality": "Gemeente Dijkstede",
        "application": "Key2Burgerzaken", "description": "Key2Burgerzaken loopt vast bij opslaan",
        "affected": "low", "urgency": "medium", "confirm": "yes"})
    body = {"next_action": "action_create_ticket", "sender_id": tracker.sender_id,
            "tracker": tracker.current_state(), "domain": {}, "version": rasa_sdk.__version__}
    request = urllib.request.Request(
        f"{server.url}/webhook{query}", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _tickets_of(router: Router, email: str) -> int:
    return len(router.call("GET", f"/api/my/tickets?email={email}")["tickets"])


@pytest.mark.parametrize(("query", "headers"), [
    ("", None),
    ("?token=wrong-token-0123456789", None),
    ("?token=" + ACTION_TOKEN[:-1], None),
    ("", {"Authorization": "Bearer wrong-token-0123456789"}),
    ("?token=", {"Authorization": "Basic " + ACTION_TOKEN}),
])
def test_without_the_token_no_action_runs(action_server, router, query, headers):
    email = "nobody-server@dijkstede.nl"
    status, body = _call(action_server, email, query, headers)
    assert status == 401 and body == {"error": "unauthorized"}
    assert _tickets_of(router, email) == 0


def test_with_the_token_the_action_runs(action_server, router):
    email = "token-server@dijkstede.nl"
    status, body = _call(action_server, email, f"?token={ACTION_TOKEN}")
    assert status == 200, body
    assert [r["response"] for r in body["responses"]] == ["utter_ticket_created"]
    assert _tickets_of(router, email) == 1
    status, _ = _call(action_server, "bearer-server@dijkstede.nl",
                      headers={"Authorization": f"Bearer {ACTION_TOKEN}"})
    assert status == 200


def test_listing_the_actions_needs_the_token_health_does_not(action_server):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(action_server.url + "/actions", timeout=10)
    assert refused.value.code == 401
    with urllib.request.urlopen(f"{action_server.url}/actions?token={ACTION_TOKEN}", timeout=10) as ok:
        assert {"name": "action_create_ticket"} in json.load(ok)
    with urllib.request.urlopen(action_server.url + "/health", timeout=10) as health:
        assert health.status == 200


def test_listens_on_loopback_only(action_server):
    """/proc/net/tcp{,6}: the listening socket of the port is bound to 127.0.0.1, nothing else."""
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port = local.rsplit(":", 1)
            if state == "0A" and int(port, 16) == action_server.port:  # 0A: LISTEN
                listening.append(address)
    assert listening == ["0100007F"]  # 127.0.0.1, little-endian hex


def test_warns_at_start_when_rest_email_is_trusted(action_server):
    assert "LOKET_TRUST_REST_EMAIL is on" in action_server.log.read_text()
    assert ACTION_TOKEN not in action_server.log.read_text()  # no token in the access log


def test_refuses_to_start_without_a_token():
    for token in ("", "short"):
        done = subprocess.run([str(PYTHON), "-m", "actions.server", "--port", str(_free_port())],
                              cwd=ROOT, env=_env(LOKET_ACTION_TOKEN=token), capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 2
        assert "LOKET_ACTION_TOKEN is not set" in done.stdout + done.stderr
