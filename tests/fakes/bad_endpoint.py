"""An HTTP endpoint on loopback that misbehaves on purpose, for every request, as `fault` says:

- `timeout`: reads the request, then answers nothing for `hold_seconds`;
- `500`: an error page;
- `html`: 200 with a web page where JSON was expected (a proxy's login page);
- `truncated`: 200 with JSON cut off, fewer bytes than its Content-Length promises;
- `not-http`: bytes that are no HTTP answer at all.

Raw sockets, so that every byte of the answer is the fake's; each connection in a thread.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from dataclasses import dataclass, field

FAULTS = ("timeout", "500", "html", "truncated", "not-http")

PAGE = b"<!DOCTYPE html><html><head><title>Inloggen</title></head><body>Log in</body></html>"
ANSWERS = {
    "500": b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\n"
    b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(PAGE) + PAGE,
    "html": b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
    b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(PAGE) + PAGE,
    "truncated": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    b'Content-Length: 300\r\nConnection: close\r\n\r\n{"ok": true, "result": {"message_id": 4',
    "not-http": b"\x15\x03\x01\x00\x02\x02\x0a garbage, not HTTP\r\n\r\n",
}


@dataclass
class Request:
    line: str
    headers: dict[str, str]
    body: bytes


@dataclass
class BadEndpoint:
    fault: str
    hold_seconds: float = 5.0
    requests: list[Request] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopped: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        assert self.fault in FAULTS, self.fault
        endpoint = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                endpoint._answer(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> BadEndpoint:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._server.shutdown()
        self._server.server_close()

    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def _answer(self, connection: socket.socket) -> None:
        request = _read(connection)
        if request is None:
            return
        with self._lock:
            self.requests.append(request)
        if self.fault == "timeout":
            self._stopped.wait(self.hold_seconds)
            return
        connection.sendall(ANSWERS[self.fault])


def _read(connection: socket.socket) -> Request | None:
    connection.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines)}
    while len(body) < int(headers.get("content-length", "0")):
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return Request(line, headers, body)
