"""The Bot Framework's side of the Teams channel (bot/channels/teams.py): the signing keys
from the OpenID metadata, the verification of an incoming activity's token, and the connector
service (a token by client credentials, then calls on a conversation's service URL).

Rasa 3.6's botframework channel fetches the keys in its constructor, from fixed Microsoft
URLs, with blocking calls; here both URLs are settings (tests point them at a local fake), the
keys are fetched when first needed, kept KEYS_LIFETIME, and a token naming an unknown key id
makes one refresh (at most one per UNKNOWN_KID_PAUSE).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from urllib.parse import quote

import aiohttp
import jwt
from rasa.core.channels.botframework import (
    MICROSOFT_OAUTH2_PATH,
    MICROSOFT_OAUTH2_URL,
    MICROSOFT_OPEN_ID_URI,
)

DEFAULT_OPENID_URL = MICROSOFT_OPEN_ID_URI
DEFAULT_TOKEN_URL = f"{MICROSOFT_OAUTH2_URL}/{MICROSOFT_OAUTH2_PATH}"
ISSUER = "https://api.botframework.com"
SCOPE = "https://api.botframework.com/.default"
KEYS_LIFETIME = 24 * 3600.0  # seconds; Microsoft rolls its keys over days
UNKNOWN_KID_PAUSE = 60.0  # at most one refresh a minute for key ids we do not know
CLOCK_SKEW = 300  # seconds of leeway on exp/nbf, as Microsoft's own SDKs allow
CHANNEL_ID = "msteams"

logger = logging.getLogger(__name__)


class Unauthorized(Exception):
    """The request is not a Bot Framework activity for us; the reason goes to the log only."""


class TeamsError(Exception):
    """The connector or the token endpoint did not answer usefully."""


class KeyCache:
    """The Bot Framework's signing keys (JWKS), from the OpenID metadata, with a lifetime."""

    def __init__(self, openid_url: str, lifetime: float = KEYS_LIFETIME) -> None:
        self.openid_url = openid_url
        self.lifetime = lifetime
        self.keys: dict[str, dict[str, Any]] = {}
        self.fetched_at = float("-inf")
        self.refreshes = 0
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(self.openid_url) as answer:
                answer.raise_for_status()
                metadata = await answer.json(content_type=None)
            async with session.get(metadata["jwks_uri"]) as answer:
                answer.raise_for_status()
                keys = (await answer.json(content_type=None))["keys"]
        self.keys = {key["kid"]: key for key in keys if "kid" in key}
        self.fetched_at = time.monotonic()
        self.refreshes += 1
        logger.info("bot.teams.keys_refreshed count=%d", len(self.keys))

    async def key(self, kid: str) -> dict[str, Any] | None:
        async with self._lock:
            age = time.monotonic() - self.fetched_at
            stale = age > self.lifetime
            unknown = kid not in self.keys and age > UNKNOWN_KID_PAUSE
            if stale or unknown:
                try:
                    await self.refresh()
                except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, ValueError) as exc:
                    logger.warning("bot.teams.keys_unavailable error=%s", type(exc).__name__)
            return self.keys.get(kid)


class Connector:
    """The Bot Framework connector service, as our app: a token by client credentials
    (kept until shortly before it expires), then calls on the conversation's service URL."""

    def __init__(self, app_id: str, app_password: str, token_url: str) -> None:
        self.app_id = app_id
        self.app_password = app_password
        self.token_url = token_url
        self._token = ""
        self._expires_at = 0.0

    async def token(self, session: aiohttp.ClientSession) -> str:
        if self._token and time.monotonic() < self._expires_at:
            return self._token
        form = {"grant_type": "client_credentials", "client_id": self.app_id,
                "client_secret": self.app_password, "scope": SCOPE}  # fmt: skip
        async with session.post(self.token_url, data=form) as answer:
            if answer.status != 200:
                raise TeamsError(f"token endpoint answered {answer.status}")
            body = await answer.json(content_type=None)
        self._token = str(body["access_token"])
        self._expires_at = time.monotonic() + max(int(body.get("expires_in", 3600)) - 120, 30)
        return self._token

    async def call(self, method: str, url: str, body: dict | None = None) -> Any:
        timeout = aiohttp.ClientTimeout(total=15)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                headers = {"Authorization": f"Bearer {await self.token(session)}"}
                async with session.request(method, url, json=body, headers=headers) as answer:
                    if answer.status >= 300:
                        raise TeamsError(f"{method} connector answered {answer.status}")
                    return await answer.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, ValueError) as exc:
            raise TeamsError(f"{method} connector {type(exc).__name__}") from exc

    async def send(self, service_url: str, conversation_id: str, activity: dict) -> None:
        url = f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe='')}"
        await self.call("POST", f"{url}/activities", activity)

    async def member(self, service_url: str, conversation_id: str, user_id: str) -> dict:
        url = (
            f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe='')}"
            f"/members/{quote(user_id, safe='')}"
        )
        answer = await self.call("GET", url)
        if not isinstance(answer, dict):
            raise TeamsError("member lookup: not an object")
        return answer


async def verify_token(
    keys: KeyCache, app_id: str, authorization: str | None, activity: dict[str, Any]
) -> dict:
    """The token's claims when it is the Bot Framework's, for us and this activity."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("no bearer token")
    try:
        header = jwt.get_unverified_header(token.strip())
    except jwt.PyJWTError as exc:
        raise Unauthorized("malformed token") from exc
    if header.get("alg") != "RS256":
        raise Unauthorized("algorithm")
    key = await keys.key(str(header.get("kid") or ""))
    if key is None:
        raise Unauthorized("unknown key")
    endorsements = key.get("endorsements")
    if isinstance(endorsements, list) and CHANNEL_ID not in endorsements:
        raise Unauthorized("key not endorsed for msteams")
    try:
        claims = jwt.decode(
            token.strip(), key=jwt.PyJWK(key, algorithm="RS256"), algorithms=["RS256"],
            audience=app_id, issuer=ISSUER, leeway=CLOCK_SKEW,
            options={"require": ["exp", "iss", "aud"]},
        )  # fmt: skip
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise Unauthorized(type(exc).__name__) from exc
    service_url = claims.get("serviceurl", claims.get("serviceUrl"))
    if service_url is not None and service_url != activity.get("serviceUrl"):
        raise Unauthorized("serviceUrl differs from the token's")
    return claims
