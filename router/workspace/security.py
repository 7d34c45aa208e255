"""Secrets, signed session cookies and CSRF tokens of the staff workspace.

A session cookie is signed and carries the account, a fingerprint of its password and state,
the account's session generation and a random session id. Signing out, a new password or
deactivation raises the generation in the store, so every cookie issued before is refused
from then on, copied or not. A CSRF token is an HMAC over the CSRF cookie's seed *and* the
session id: a token (with its seed) from one session does not fit another.

Over HTTPS (`LOKET_COOKIE_SECURE`, the default) the cookies are named with the `__Host-`
prefix, which browsers accept only when Secure, for Path=/ and without a Domain: no sibling
subdomain or plain-HTTP page can plant or overwrite them. That means Path=/ instead of
/staff; the rest of the site (/api/) is authenticated by bearer token and ignores them.
Plain-HTTP development keeps the unprefixed names on /staff.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from router.settings import Settings

SESSION_COOKIE = "loket_sessie"
CSRF_COOKIE = "loket_csrf"
HOST_PREFIX = "__Host-"
CSRF_FIELD = "csrf_token"
SESSION_HOURS = 10  # one working day; then sign in again
MIN_SECRET = 32
_PLACEHOLDERS = {"changeme", "change-me", "secret", "test", "xxx"}


class WorkspaceConfigError(RuntimeError):
    """The workspace cannot run: the message names the setting to fix."""


@dataclass(frozen=True)
class SessionClaim:
    """What a valid session cookie says; the store must still agree (generation, state)."""

    account_id: int
    fingerprint: str
    generation: int
    session_id: str


@dataclass(frozen=True)
class Secrets:
    key: str
    cookie_secure: bool = True

    @property
    def session_cookie(self) -> str:
        return HOST_PREFIX + SESSION_COOKIE if self.cookie_secure else SESSION_COOKIE

    @property
    def csrf_cookie(self) -> str:
        return HOST_PREFIX + CSRF_COOKIE if self.cookie_secure else CSRF_COOKIE

    @property
    def cookie_path(self) -> str:
        return "/" if self.cookie_secure else "/staff"  # __Host- requires Path=/

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.key, salt="loket.staff.session")

    def session_token(self, account_id: int, fingerprint: str, generation: int) -> str:
        claim = {"u": account_id, "f": fingerprint, "g": generation, "s": new_seed()}
        return self._serializer().dumps(claim)

    def read_session(self, token: str | None) -> SessionClaim | None:
        if not token:
            return None
        try:
            data = self._serializer().loads(token, max_age=SESSION_HOURS * 3600)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict):
            return None
        account_id, generation, sid = data.get("u"), data.get("g"), data.get("s")
        if not isinstance(account_id, int) or not isinstance(generation, int):
            return None  # also sessions issued before generations existed
        if not isinstance(sid, str) or not sid:
            return None
        return SessionClaim(account_id, str(data.get("f", "")), generation, sid)

    def csrf_token(self, seed: str, session_id: str) -> str:
        message = f"csrf|{seed}|{session_id}".encode()
        return hmac.new(self.key.encode(), message, hashlib.sha256).hexdigest()

    def csrf_ok(self, seed: str | None, session_id: str, given: str | None) -> bool:
        if not seed or not given:
            return False
        return hmac.compare_digest(self.csrf_token(seed, session_id), given)


def new_seed() -> str:
    return secrets.token_urlsafe(32)


def load_secrets(settings: Settings) -> Secrets:
    """The signing key and cookie policy from the settings (LOKET_SECRET_KEY...)."""
    key = settings.secret_key.get_secret_value().strip() if settings.secret_key else ""
    if not key:
        raise WorkspaceConfigError(
            "LOKET_SECRET_KEY is not set: the staff workspace signs its session cookies and "
            f"CSRF tokens with it. Set a random secret of at least {MIN_SECRET} characters, "
            "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if len(key) < MIN_SECRET or key.lower() in _PLACEHOLDERS:
        raise WorkspaceConfigError(
            f"LOKET_SECRET_KEY is too short or a placeholder; use at least {MIN_SECRET} "
            "random characters"
        )
    return Secrets(key=key, cookie_secure=settings.cookie_secure)
