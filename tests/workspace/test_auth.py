"""Sign-in, sessions, sign-out, rate limiting and CSRF of the staff workspace."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from http.cookies import SimpleCookie

import aiohttp
import pytest
import redis.asyncio as aioredis
from sqlmodel import Session, select

from router.store.accounts import set_active, set_password
from router.store.tables import StaffAccount
from router.workspace.limiter import (
    RedisSignInLimiter,
    SignInLimiter,
    client_address,
    parse_networks,
)
from tests.fixtures import SAMPLE_ORG, TEST_TOKEN
from tests.workspace.conftest import CSRF, PASSWORD, csrf_token, post_form, sign_in

REDIS_URL = os.environ.get("LOKET_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def test_pages_need_a_sign_in(web):
    for path in ("/staff/", "/staff/triage", "/staff/meldingen", "/staff/storingen"):
        resp = await web.get(path, allow_redirects=False)
        assert resp.status == 303
        assert resp.headers["Location"].startswith("/staff/login?next=")


async def test_root_leads_to_the_workspace(web):
    resp = await web.get("/", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/staff/"


async def test_sign_in_sets_a_signed_httponly_samesite_cookie(web):
    resp = await sign_in(web, "sanne")
    assert resp.status == 303 and resp.headers["Location"] == "/staff/"
    cookie = resp.cookies["loket_sessie"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/staff"
    assert "sanne" not in cookie.value  # signed and encoded, no plain username
    page = await web.get("/staff/triage")
    assert page.status == 200 and "sanne" in await page.text()


async def test_passwords_are_stored_as_argon2id(web, engine):
    with Session(engine) as session:
        account = session.exec(select(StaffAccount).where(StaffAccount.username == "sanne")).one()
    assert account.password_hash.startswith("$argon2id$") and PASSWORD not in account.password_hash


async def test_wrong_password_and_unknown_user_get_the_same_answer(web):
    wrong = await sign_in(web, "sanne", "wrong password!!")
    unknown = await sign_in(web, "nobody", "wrong password!!")
    assert wrong.status == unknown.status == 401
    assert "Onjuiste gebruikersnaam of wachtwoord" in await wrong.text()
    assert "loket_sessie" not in wrong.cookies


async def test_sign_in_follows_next_but_only_inside_the_workspace(web):
    async def sign_in_to(target: str) -> str:
        form = {"username": "sanne", "password": PASSWORD, "csrf_token": await csrf_token(web)}
        resp = await web.post("/staff/login", data={**form, "next": target}, allow_redirects=False)
        assert resp.status == 303
        return resp.headers["Location"]

    assert await sign_in_to("/staff/meldingen") == "/staff/meldingen"
    for evil in ("https://evil.example/", "//evil.example/", "/staff/\\evil"):
        assert await sign_in_to(evil) == "/staff/"


async def test_a_new_session_gets_a_new_csrf_seed(web):
    before = await csrf_token(web)
    await sign_in(web, "sanne")
    assert await csrf_token(web, "/staff/triage") != before


async def test_failed_sign_ins_are_rate_limited(web):
    for _ in range(5):
        assert (await sign_in(web, "sanne", "wrong password!!")).status == 401
    blocked = await sign_in(web, "sanne")  # even the right password waits now
    assert blocked.status == 429
    assert "Te veel mislukte pogingen" in await blocked.text()
    assert "loket_sessie" not in blocked.cookies


async def test_limiter_forgets_after_the_window_and_on_success():
    now = [0.0]
    limiter = SignInLimiter(per_account=2, per_address=3, window_seconds=60, clock=lambda: now[0])
    assert await limiter.reserve("1.2.3.4", "sanne")
    assert await limiter.reserve("1.2.3.4", "Sanne")
    assert await limiter.reserve("1.2.3.4", "sanne") is None  # blocked: and not counted
    assert await limiter.reserve("5.6.7.8", "sanne")
    now[0] = 61
    assert await limiter.reserve("1.2.3.4", "sanne")
    for name in ("a", "b"):
        assert await limiter.reserve("1.2.3.4", name)
    assert await limiter.reserve("1.2.3.4", "d") is None  # one address trying many names
    first = await limiter.reserve("9.9.9.9", "x")
    second = await limiter.reserve("9.9.9.9", "x")
    assert first and second
    await limiter.succeeded("9.9.9.9", "x", second)
    # the account's failures are forgotten, and the successful attempt no longer counts
    assert await limiter.reserve("9.9.9.9", "x") and await limiter.reserve("9.9.9.9", "x")


async def _parallel_wrong_passwords(client, times: int = 12, **headers: str) -> list[int]:
    """Wrong passwords for one account, all in flight at once (the argon2 check takes time)."""
    token = await csrf_token(client)
    form = {"username": "sanne", "password": "wrong password!!", "csrf_token": token}

    async def one() -> int:
        resp = await client.post("/staff/login", data=form, headers=headers, allow_redirects=False)
        return resp.status

    return list(await asyncio.gather(*(one() for _ in range(times))))


async def test_parallel_wrong_passwords_cannot_outrun_the_limit(web):
    statuses = await _parallel_wrong_passwords(web)
    assert statuses.count(401) == 5 and statuses.count(429) == 7, statuses
    assert (await sign_in(web, "sanne")).status == 429


async def test_parallel_wrong_passwords_cannot_outrun_the_limit_in_redis(
    aiohttp_client, database_url, org, accounts, redis_prefix
):
    shared = {"redis_url": REDIS_URL, "redis_prefix": redis_prefix}
    first = await aiohttp_client(_workspace_app(database_url, org, **shared))
    second = await aiohttp_client(_workspace_app(database_url, org, **shared))
    statuses = [
        *await _parallel_wrong_passwords(first, 6),
        *await _parallel_wrong_passwords(second, 6),
    ]
    assert statuses.count(401) <= 5 and statuses.count(401) + statuses.count(429) == 12
    both = await asyncio.gather(
        _parallel_wrong_passwords(first, 6), _parallel_wrong_passwords(second, 6)
    )
    assert [s for part in both for s in part] == [429] * 12


async def test_parallel_attempts_race_in_redis_itself(redis_prefix):
    limiter = RedisSignInLimiter(REDIS_URL, prefix=redis_prefix)
    try:
        got = await asyncio.gather(*(limiter.reserve("10.0.0.1", "sanne") for _ in range(12)))
        assert sum(1 for g in got if g) == 5
        winner = next(g for g in got if g)
        await limiter.succeeded("10.0.0.1", "sanne", winner)
        assert await limiter.reserve("10.0.0.1", "sanne")  # a success clears the account
    finally:
        await limiter.close()


async def test_forwarded_for_is_ignored_from_an_untrusted_peer(web):
    for n in range(5):
        spoofed = {"X-Forwarded-For": f"203.0.113.{n}"}
        assert (await sign_in(web, "sanne", "wrong password!!", headers=spoofed)).status == 401
    fresh = {"X-Forwarded-For": "198.51.100.9"}
    assert (await sign_in(web, "sanne", headers=fresh)).status == 429  # still the peer's count


async def test_forwarded_for_names_the_client_behind_a_trusted_proxy(
    aiohttp_client, database_url, org, accounts
):
    app = _workspace_app(database_url, org, trusted_proxies=["127.0.0.0/8"])
    client = await aiohttp_client(app)
    alice = {"X-Forwarded-For": "203.0.113.5"}
    for _ in range(5):
        assert (await sign_in(client, "sanne", "wrong password!!", headers=alice)).status == 401
    assert (await sign_in(client, "sanne", headers=alice)).status == 429
    # a client cannot escape by writing its own X-Forwarded-For: the proxy appends the real one
    assert (
        await sign_in(client, "sanne", headers={"X-Forwarded-For": "1.1.1.1, 203.0.113.5"})
    ).status == 429
    bob = {"X-Forwarded-For": "203.0.113.6"}
    assert (await sign_in(client, "sanne", headers=bob)).status == 303  # another colleague


def test_client_address_reads_forwarded_for_only_through_trusted_proxies():
    trusted = parse_networks(["10.0.0.0/8", "::1"])
    assert client_address("192.0.2.1", "203.0.113.5", trusted) == "192.0.2.1"
    assert client_address("10.0.0.2", "203.0.113.5", trusted) == "203.0.113.5"
    assert client_address("10.0.0.2", "6.6.6.6, 203.0.113.5, 10.0.0.9", trusted) == "203.0.113.5"
    assert client_address("10.0.0.2", "garbage", trusted) == "10.0.0.2"
    assert client_address("10.0.0.2", None, trusted) == "10.0.0.2"
    assert client_address("::ffff:10.0.0.2", "203.0.113.5", trusted) == "203.0.113.5"
    assert client_address("10.0.0.2", "203.0.113.5", ()) == "10.0.0.2"


def test_trusted_proxies_come_from_the_environment(monkeypatch):
    from router.settings import Settings

    monkeypatch.setenv("LOKET_TRUSTED_PROXIES", "10.0.0.5, 10.1.0.0/16")
    assert Settings(service_token=TEST_TOKEN).trusted_proxies == ["10.0.0.5", "10.1.0.0/16"]
    monkeypatch.setenv("LOKET_TRUSTED_PROXIES", "10.0.0.5,proxy.example")
    with pytest.raises(ValueError):
        Settings(service_token=TEST_TOKEN)
    monkeypatch.delenv("LOKET_TRUSTED_PROXIES")
    assert Settings(service_token=TEST_TOKEN).trusted_proxies == []


def _workspace_app(database_url, org, **settings):
    from router.app import create_app
    from router.settings import Settings

    return create_app(
        Settings(
            service_token=TEST_TOKEN, database_url=database_url, org_file=SAMPLE_ORG, **settings
        ),
        org,
    )


@pytest.fixture
async def redis_prefix():
    prefix = f"loket-test-{secrets.token_hex(6)}:"
    yield prefix
    client = aioredis.Redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(match=prefix + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_two_workers_share_the_sign_in_budget_through_redis(
    aiohttp_client, database_url, org, accounts, redis_prefix
):
    shared = {"redis_url": REDIS_URL, "redis_prefix": redis_prefix}
    first = await aiohttp_client(_workspace_app(database_url, org, **shared))
    second = await aiohttp_client(_workspace_app(database_url, org, **shared))
    for client in (first, second, first, second, first):
        assert (await sign_in(client, "sanne", "wrong password!!")).status == 401
    assert (await sign_in(second, "sanne")).status == 429  # five failures, over both workers
    client = aioredis.Redis.from_url(REDIS_URL)
    stored = [key.decode() async for key in client.scan_iter(match=redis_prefix + "*")]
    await client.aclose()
    assert len(stored) == 2 and not any("sanne" in key or "127.0.0.1" in key for key in stored)


async def test_without_redis_sign_in_still_works_and_is_limited(
    aiohttp_client, database_url, org, accounts
):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    app = _workspace_app(database_url, org, redis_url=f"redis://127.0.0.1:{closed_port}/0")
    client = await aiohttp_client(app)
    assert (await sign_in(client, "sanne")).status == 303
    for _ in range(5):
        assert (await sign_in(client, "sanne", "wrong password!!")).status == 401
    assert (await sign_in(client, "sanne")).status == 429


async def test_sign_out_ends_the_session(web):
    await sign_in(web, "sanne")
    resp = await post_form(web, "/staff/logout", {})
    assert resp.status == 303 and resp.headers["Location"].startswith("/staff/login")
    after = await web.get("/staff/triage", allow_redirects=False)
    assert after.status == 303


def _replace_cookie(client, name: str, value: str) -> None:
    """Overwrite a workspace cookie in the client's jar (same name, host and path)."""
    cookie: SimpleCookie = SimpleCookie()
    cookie[name] = value
    cookie[name]["path"] = "/staff"
    client.session.cookie_jar.update_cookies(cookie, response_url=client.make_url("/staff/"))
    sent = client.session.cookie_jar.filter_cookies(client.make_url("/staff/"))
    assert sent[name].value == value


def _browser() -> aiohttp.ClientSession:
    """Another browser on the same workspace (its own cookie jar)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def test_a_copied_session_cookie_is_refused_after_sign_out(web):
    await sign_in(web, "sanne")
    copied = web.session.cookie_jar.filter_cookies(web.make_url("/staff/"))["loket_sessie"].value
    async with _browser() as thief:  # another browser, with the cookie copied before sign-out
        url = web.make_url("/staff/triage")
        cookie = {"Cookie": f"loket_sessie={copied}"}
        assert (await thief.get(url, headers=cookie, allow_redirects=False)).status == 200
        assert (await post_form(web, "/staff/logout", {})).status == 303
        resp = await thief.get(url, headers=cookie, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/staff/login")
    again = await sign_in(web, "sanne")  # signing in again gives a new, working session
    assert again.status == 303 and (await web.get("/staff/triage")).status == 200


async def test_a_csrf_token_from_another_session_is_refused(web):
    async with _browser() as attacker:  # signed in with an account of its own
        login = await attacker.get(web.make_url("/staff/login"))
        form = {
            "username": "dirk",
            "password": PASSWORD,
            "csrf_token": CSRF.search(await login.text()).group(1),
        }
        assert (await attacker.post(web.make_url("/staff/login"), data=form)).status == 200
        page = await attacker.get(web.make_url("/staff/triage"))
        token = CSRF.search(await page.text()).group(1)
        seed = attacker.cookie_jar.filter_cookies(web.make_url("/staff/"))["loket_csrf"].value
    await sign_in(web, "sanne")
    # the attacker plants its own seed in the victim's browser (cookie tossing) and posts
    # its own token: a pair that fits, but for another session
    _replace_cookie(web, "loket_csrf", seed)
    resp = await web.post("/staff/logout", data={"csrf_token": token}, allow_redirects=False)
    assert resp.status == 403
    assert (await web.get("/staff/triage", allow_redirects=False)).status == 200  # still in
    # a token from before signing in does not fit the new session either
    await post_form(web, "/staff/logout", {})
    before = await csrf_token(web)
    old_seed = web.session.cookie_jar.filter_cookies(web.make_url("/staff/"))["loket_csrf"].value
    await sign_in(web, "ada")
    _replace_cookie(web, "loket_csrf", old_seed)  # the pair as it was before signing in
    resp = await web.post("/staff/logout", data={"csrf_token": before}, allow_redirects=False)
    assert resp.status == 403


def test_sessions_without_a_generation_or_id_are_not_accepted():
    from router.workspace.security import Secrets

    secrets = Secrets(key="k" * 40)
    old_style = secrets._serializer().dumps({"u": 1, "f": "abc"})
    assert secrets.read_session(old_style) is None
    claim = secrets.read_session(secrets.session_token(1, "abc", 7))
    assert claim and claim.generation == 7 and len(claim.session_id) > 20
    assert secrets.session_token(1, "abc", 7) != secrets.session_token(1, "abc", 7)


async def test_secure_cookies_carry_the_host_prefix(aiohttp_client, database_url, org, accounts):
    client = await aiohttp_client(_workspace_app(database_url, org, cookie_secure=True))
    page = await client.get("/staff/login")
    set_csrf = page.headers["Set-Cookie"]
    assert set_csrf.startswith("__Host-loket_csrf=")
    assert "Secure" in set_csrf and "Path=/;" in set_csrf and "Domain" not in set_csrf
    seed = page.cookies["__Host-loket_csrf"].value
    token = CSRF.search(await page.text()).group(1)
    form = {"username": "sanne", "password": PASSWORD, "csrf_token": token}
    resp = await client.post(
        "/staff/login",
        data=form,
        headers={"Cookie": f"__Host-loket_csrf={seed}"},  # the jar keeps Secure ones off HTTP
        allow_redirects=False,
    )
    assert resp.status == 303
    session_cookies = [
        v for v in resp.headers.getall("Set-Cookie") if v.startswith("__Host-loket_sessie=")
    ]
    assert len(session_cookies) == 1
    assert all(part in session_cookies[0] for part in ("Secure", "HttpOnly", "Path=/;"))
    assert "Domain" not in session_cookies[0]
    session = resp.cookies["__Host-loket_sessie"].value
    cookies = f"__Host-loket_sessie={session}; loket_sessie={session}"
    page = await client.get("/staff/triage", headers={"Cookie": cookies}, allow_redirects=False)
    assert page.status == 200
    plain = await client.get(
        "/staff/triage", headers={"Cookie": f"loket_sessie={session}"}, allow_redirects=False
    )
    assert plain.status == 303  # only the prefixed name counts over HTTPS


async def test_a_stolen_old_cookie_dies_with_a_new_password_or_deactivation(web, engine):
    await sign_in(web, "sanne")
    assert (await web.get("/staff/triage", allow_redirects=False)).status == 200
    with Session(engine) as session:
        set_password(session, username="sanne", password="another long password")
        session.commit()
    assert (await web.get("/staff/triage", allow_redirects=False)).status == 303
    await sign_in(web, "dirk")
    with Session(engine) as session:
        set_active(session, username="dirk", active=False)
        session.commit()
    assert (await web.get("/staff/triage", allow_redirects=False)).status == 303
    assert (await sign_in(web, "dirk")).status == 401


async def test_a_forged_session_cookie_is_ignored(web):
    web.session.cookie_jar.update_cookies({"loket_sessie": "eyJ1IjoxfQ.forged.sig"})
    assert (await web.get("/staff/triage", allow_redirects=False)).status == 303


async def test_form_post_without_csrf_token_is_refused(web, tickets):
    await sign_in(web, "sanne")
    data = {"bestemming": "werkplek"}
    resp = await web.post(f"/staff/meldingen/{tickets.dyk}/accepteren", data=data)
    assert resp.status == 403
    assert "formulier is verlopen of ongeldig" in await resp.text()
    wrong = await web.post(
        f"/staff/meldingen/{tickets.dyk}/accepteren", data={**data, "csrf_token": "0" * 64}
    )
    assert wrong.status == 403
    page = await web.get(f"/staff/meldingen/{tickets.dyk}")
    assert "Printer Dijkstede" in await page.text()
    assert "Suggestie van de router overgenomen" not in await page.text()


async def test_sign_in_and_sign_out_forms_need_the_token_too(web):
    resp = await web.post("/staff/login", data={"username": "sanne", "password": PASSWORD})
    assert resp.status == 403 and "loket_sessie" not in resp.cookies
    await sign_in(web, "sanne")
    resp = await web.post("/staff/logout", data={}, allow_redirects=False)
    assert resp.status == 403


async def test_a_token_from_another_browser_does_not_fit(web):
    await sign_in(web, "sanne")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
        page = await other.get(web.make_url("/staff/login"))
        foreign = CSRF.search(await page.text()).group(1)  # valid for the other browser only
    resp = await web.post("/staff/logout", data={"csrf_token": foreign}, allow_redirects=False)
    assert resp.status == 403


async def test_security_headers(web):
    resp = await web.get("/staff/login")
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Cache-Control"] == "no-store"
    csrf_cookie = resp.cookies["loket_csrf"]
    assert csrf_cookie["httponly"] and csrf_cookie["samesite"] == "Strict"


async def test_api_is_unaffected_by_a_staff_session(web):
    await sign_in(web, "sanne")
    assert (await web.get("/api/tickets")).status == 401  # the API wants its service token
