"""`loket serve`: the service's app in several worker processes behind one listening socket.

Routing is CPU work in Python, so one process uses one core. gunicorn runs the app in
`workers` processes (default: one per core), each on uvloop, restarts a worker that dies,
and stops them all on SIGINT or SIGTERM. The app is built once, before forking, so an
invalid organisation file stops the start with a clear message instead of failing workers.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from gunicorn.app.base import BaseApplication

WORKER_CLASS = "aiohttp.worker.GunicornUVLoopWebWorker"


class _Server(BaseApplication):
    def __init__(self, app: web.Application, options: dict[str, Any]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    # types-gunicorn knows only WSGI/ASGI apps; aiohttp's gunicorn worker loads a web.Application.
    def load(self) -> web.Application:  # type: ignore[override]
        return self._app


def serve(app: web.Application, *, host: str, port: int, workers: int) -> None:
    """Serve until interrupted; gunicorn logs only warnings and errors (the app logs events)."""
    _Server(
        app,
        {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers,
            "worker_class": WORKER_CLASS,
            "preload_app": True,
            "accesslog": None,
            "loglevel": "warning",
            "graceful_timeout": 10,
        },
    ).run()
