"""A local stand-in for the Bot Framework around Microsoft Teams: the OpenID metadata and its
key set (JWKS), the token endpoint (client credentials), and the connector service of a
conversation's service URL (POST activities, GET a member). Enough for bot/channels/teams.py
and the worker's sender (router/channels/msteams.py).

`TestKey` is an RSA key made in the test and signs RS256 tokens as the Bot Framework does, in
plain Python (the service environment has no PyJWT or cryptography): PKCS #1 v1.5 over SHA-256.
Runs an aiohttp server on loopback in a thread of its own; Python 3.10 compatible.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

ISSUER = "https://api.botframework.com"
APP_ID = "00000000-1111-4222-8333-444444444444"
APP_PASSWORD = "fake-app-password-0123456789"  # noqa: S105 - a test value
# SHA-256's DigestInfo prefix (RFC 8017, 9.2 note 1).
_SHA256_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_SMALL_PRIMES = [p for p in range(3, 2000) if all(p % q for q in range(2, int(p**0.5) + 1))]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _probably_prime(n: int, rounds: int = 24) -> bool:
    if any(n % p == 0 for p in _SMALL_PRIMES):
        return n in _SMALL_PRIMES
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(rounds):
        x = pow(secrets.randbelow(n - 3) + 2, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, e: int) -> int:
    while True:
        candidate = secrets.randbits(bits) | (3 << (bits - 2)) | 1
        if (candidate - 1) % e and _probably_prime(candidate):
            return candidate


@dataclass
class TestKey:
    """An RSA key (2048 bits, e = 65537) made fresh for the test run."""

    __test__ = False  # not a pytest class
    kid: str = field(default_factory=lambda: "test-" + secrets.token_hex(4))
    bits: int = 2048
    n: int = 0
    e: int = 65537
    d: int = 0

    def __post_init__(self) -> None:
        while not self.n or self.n.bit_length() != self.bits:
            p, q = _prime(self.bits // 2, self.e), _prime(self.bits // 2, self.e)
            self.n = p * q
            self.d = pow(self.e, -1, (p - 1) * (q - 1))

    def jwk(self, endorsements: list[str] | None = None) -> dict[str, Any]:
        return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
                "n": b64url(_int_bytes(self.n)), "e": b64url(_int_bytes(self.e)),
                "endorsements": endorsements or ["msteams"]}  # fmt: skip

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        header = {"alg": "RS256", "typ": "JWT", "kid": kid or self.kid}
        signing_input = ".".join(
            b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        size = (self.n.bit_length() + 7) // 8
        digest = _SHA256_INFO + hashlib.sha256(signing_input.encode()).digest()
        encoded = b"\x00\x01" + b"\xff" * (size - len(digest) - 3) + b"\x00" + digest
        signature = pow(int.from_bytes(encoded, "big"), self.d, self.n).to_bytes(size, "big")
        return f"{signing_input}.{b64url(signature)}"


def claims_for(service_url: str, audience: str = APP_ID, lifetime: int = 600) -> dict:
    now = int(time.time())
    return {"iss": ISSUER, "aud": audience, "serviceurl": service_url,
            "nbf": now - 5, "iat": now - 5, "exp": now + lifetime}  # fmt: skip


@dataclass
class FakeBotFramework:
    """Metadata at /openid, keys at /keys, tokens at /token, the connector under /v3/."""

    app_id: str = APP_ID
    app_password: str = APP_PASSWORD
    key: TestKey = field(default_factory=TestKey)
    down: bool = False  # the connector answers 502 to activities
    activities: list = field(default_factory=list)  # (conversation id, activity) delivered
    members: dict = field(default_factory=dict)  # Teams user id -> member (email, aadObjectId)
    key_fetches: int = 0
    token_requests: int = 0
    port: int = 0
    _access_token: str = field(default_factory=lambda: "fake-bf-" + secrets.token_hex(12))
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        return f"{self.base_url}/teams/"

    @property
    def openid_url(self) -> str:
        return f"{self.base_url}/openid"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    def texts_to(self, conversation_id: str) -> list[str]:
        """What was said in a conversation: texts, and the text of each card."""
        with self._lock:
            found = []
            for conversation, activity in self.activities:
                if conversation != conversation_id:
                    continue
                if activity.get("text"):
                    found.append(activity["text"])
                for attachment in activity.get("attachments") or []:
                    found.append(str((attachment.get("content") or {}).get("text") or ""))
            return found

    async def _openid(self, request: web.Request) -> web.Response:
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.base_url}/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})  # fmt: skip

    async def _keys(self, request: web.Request) -> web.Response:
        with self._lock:
            self.key_fetches += 1
        return web.json_response({"keys": [self.key.jwk()]})

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        with self._lock:
            self.token_requests += 1
        if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != (
            "client_credentials", self.app_id, self.app_password,
        ):  # fmt: skip
            return web.json_response({"error": "invalid_client"}, status=401)
        return web.json_response(
            {"token_type": "Bearer", "expires_in": 3600, "access_token": self._access_token}
        )

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self._access_token}"

    async def _activities(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        if self.down:
            return web.json_response({"error": {"code": "ServiceError"}}, status=502)
        activity = await request.json()
        with self._lock:
            self.activities.append((request.match_info["conversation"], activity))
        return web.json_response({"id": f"activity-{next(self._ids)}"}, status=201)

    async def _member(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        member = self.members.get(request.match_info["member"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}},
                                     status=404)  # fmt: skip
        return web.json_response(member)

    def start(self) -> FakeBotFramework:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            app.router.add_get("/openid", self._openid)
            app.router.add_get("/keys", self._keys)
            app.router.add_post("/token", self._token)
            base = "/teams/v3/conversations/{conversation}"
            app.router.add_post(base + "/activities", self._activities)
            app.router.add_get(base + "/members/{member}", self._member)
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

    # --- what Teams would send ------------------------------------------------------------

    def add_member(self, user_id: str, email: str, object_id: str, tenant: str) -> None:
        self.members[user_id] = {"id": user_id, "name": email.split("@")[0], "email": email,
                                 "userPrincipalName": email, "aadObjectId": object_id,
                                 "tenantId": tenant}  # fmt: skip

    def activity(self, user_id: str, text: str, tenant: str, *, value: dict | None = None,
                 conversation_type: str = "personal") -> dict[str, Any]:  # fmt: skip
        member = self.members.get(user_id) or {}
        activity = {
            "type": "message", "id": f"in-{next(self._ids)}", "channelId": "msteams",
            "serviceUrl": self.service_url, "text": text, "timestamp": "2026-11-30T09:00:00Z",
            "from": {"id": user_id, "name": "Anna", "aadObjectId": member.get("aadObjectId")},
            "recipient": {"id": f"28:{self.app_id}", "name": "Loket"},
            "conversation": {"id": f"a:conv-{user_id}", "conversationType": conversation_type,
                             "tenantId": tenant},
            "channelData": {"tenant": {"id": tenant}},
        }  # fmt: skip
        if value is not None:
            activity["value"] = value
        return activity

    def authorization(self, activity: dict[str, Any], **changes: Any) -> str:
        """The header Bot Framework would send with `activity` (claims changed by `changes`)."""
        claims = claims_for(activity["serviceUrl"], audience=self.app_id)
        claims.update(changes)
        return f"Bearer {self.key.sign(claims)}"
