"""The action server: rasa-sdk's Sanic app, on loopback, that only runs actions for Rasa.

    LOKET_ACTION_TOKEN=... bot/.venv/bin/python -m actions.server [--host 127.0.0.1] [--port 5055]

`rasa run actions` listens on every interface (rasa-sdk 3.6 reads `SANIC_HOST`, default
0.0.0.0) and runs any action for anyone who can reach it. This entry point builds the same
app (rasa_sdk.endpoint.create_app), binds it to 127.0.0.1 unless told otherwise, and refuses
every request but `GET /health` that does not carry the shared secret `LOKET_ACTION_TOKEN`:
Rasa sends it as `?token=...` (bot/endpoints.yml, `token:`); `Authorization: Bearer ...` is
accepted too. The comparison is constant-time, and it happens before any action runs.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
from collections.abc import Mapping
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.identity import TRUST_REST_EMAIL, trust_rest_email
from actions.router_client import close_sessions

logger = logging.getLogger(__name__)

TOKEN_VARIABLE = "LOKET_ACTION_TOKEN"  # noqa: S105 - a variable name, not a secret
TOKEN_MIN_CHARS = 16
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5055
OPEN_PATHS = frozenset(("/health",))


class ConfigurationError(Exception):
    """The action server cannot start safely with this environment."""


def action_token(environ: Mapping[str, str] = os.environ) -> str:
    """The shared secret Rasa must send; refuses to run without a usable one."""
    token = environ.get(TOKEN_VARIABLE, "").strip()
    if len(token) < TOKEN_MIN_CHARS:
        raise ConfigurationError(
            f"{TOKEN_VARIABLE} is not set (or shorter than {TOKEN_MIN_CHARS} characters): "
            "the action server only runs actions for a Rasa server that sends this secret"
        )
    return token


def presented_token(request: Request) -> str:
    """The token of a request: `?token=` (what Rasa 3.6 sends) or `Authorization: Bearer`."""
    query = request.args.get("token")
    if query:
        return str(query)
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def token_matches(presented: str, expected: str) -> bool:
    """Constant-time comparison (bytes, so that any text compares without an exception)."""
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))


def create_app(token: str, actions_package: str = "actions") -> Sanic:
    """rasa-sdk's app with the token check in front of every route but /health."""
    from rasa_sdk.endpoint import create_app as create_sdk_app

    # No CORS origins: only the Rasa server calls this, never a browser.
    app: Sanic = create_sdk_app(actions_package, cors_origins=None)

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        presented = presented_token(request)
        if presented and token_matches(presented, token):
            return None
        logger.warning(
            "actions.server.refused path=%s reason=%s",
            request.path, "wrong token" if presented else "no token",
        )  # fmt: skip
        return response.json({"error": "unauthorized"}, status=401)

    async def close_router_sessions(_app: Sanic, _loop: Any) -> None:
        await close_sessions()  # the router client's kept-alive connections

    app.register_listener(close_router_sessions, "after_server_stop")
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Loket's action server (rasa-sdk)")
    parser.add_argument("--host", default=os.environ.get("LOKET_ACTIONS_HOST") or DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--actions", default="actions", help="package with the actions")
    parser.add_argument("--loglevel", default="INFO")
    args = parser.parse_args(argv)

    from rasa_sdk import utils
    from rasa_sdk.plugin import plugin_manager

    utils.configure_colored_logging(args.loglevel)
    utils.update_sanic_log_level()
    try:
        token = action_token()
    except ConfigurationError as exc:
        logger.error("%s", exc)
        return 2
    if trust_rest_email():
        logger.warning(
            "%s is on: the REST channel's metadata e-mail is trusted as the employee's "
            "identity. Development and tests only; never in production.",
            TRUST_REST_EMAIL,
        )
    app = create_app(token, args.actions)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    logger.info("Action server on http://%s:%s (token required)", args.host, args.port)
    run_options: dict[str, Any] = {"workers": utils.number_of_sanic_workers()}
    # Sanic's access log would write the request URL, and with it Rasa's ?token=.
    app.run(args.host, args.port, access_log=False, **run_options)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
