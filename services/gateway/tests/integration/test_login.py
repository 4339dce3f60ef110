"""The console's login against the real local identity provider (tools/idp, Node.js): the
authorization code flow with PKCE, a session kept in the gateway's database behind an
HttpOnly cookie, CSRF on logout, and logout ending the session here and at the provider."""

import html
import os
import re
import secrets
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import asyncpg
import httpx
import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from kohub_gateway.adapters.http.login import safe_next
from kohub_gateway.app import create_app
from kohub_gateway.bootstrap import bootstrap
from kohub_gateway.settings import GatewaySettings
from kohub_platform.settings import OidcSettings
from kohub_platform.waiting import wait_for

from .conftest import free_port, gateway_settings

ROOT = Path(__file__).resolve().parents[4]
CONSOLE = "http://testserver.local"


class Idp:
    def __init__(self, port: int, key_file: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.issuer = f"{self.base}/realms/kecp-sso"
        node = shutil.which("node")
        assert node, "Node.js is needed for the identity provider (tools/idp)"
        env = {
            **os.environ,
            "KOHUB_IDP_PORT": str(port),
            "KOHUB_IDP_KEY_FILE": str(key_file),
            "KOHUB_IDP_CONSOLE_ORIGINS": CONSOLE,
        }
        self.process = subprocess.Popen(  # noqa: S603 - our own provider
            [node, str(ROOT / "tools" / "idp" / "server.mjs")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )


@pytest.fixture(scope="module")
def idp(tmp_path_factory) -> Iterator[Idp]:
    provider = Idp(free_port(), tmp_path_factory.mktemp("idp") / "key.json")
    try:

        def healthy() -> bool:
            assert provider.process.poll() is None, provider.process.stderr.read().decode()
            return _healthy(provider)

        wait_for(healthy, timeout=20, message="the identity provider did not start")
        yield provider
    finally:
        provider.process.terminate()
        provider.process.wait(timeout=10)


def _healthy(provider: Idp) -> bool:
    try:
        return httpx.get(f"{provider.base}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest_asyncio.fixture(scope="module")
async def console(idp, owners, gateway_database) -> AsyncIterator[AsyncTestClient]:
    settings = gateway_settings(
        OidcHolder(idp.issuer), {n: s.url for n, s in owners.items()}, gateway_database
    )
    service = bootstrap(settings, gateway=GatewaySettings(public_url=CONSOLE))
    async with AsyncTestClient(app=create_app(settings, service), base_url=CONSOLE) as client:
        yield client


class OidcHolder:
    """What gateway_settings reads of the test plugin's oidc fixture, for the real provider."""

    def __init__(self, issuer: str) -> None:
        self.settings = OidcSettings(
            issuer=issuer, audience="kohub", jwks_url=f"{issuer}/protocol/openid-connect/certs"
        )


async def log_in(console: AsyncTestClient, username: str, password: str) -> httpx.Response:
    """A browser's walk: the console → the provider's login form → back to the console."""
    start = await console.get(
        "/login", params={"next": "/tickets?status=NEW"}, follow_redirects=False
    )
    assert start.status_code in (302, 303), start.text
    authorize = start.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["client_id"] == ["kohub-console"]
    cookie = start.headers["set-cookie"]
    assert "kohub_login=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    async with httpx.AsyncClient(timeout=10) as browser:
        page = await browser.get(authorize, follow_redirects=True)
        action = re.search(r'<form id="kc-form-login"[^>]*action="([^"]+)"', page.text)
        assert action, page.text[:1000]
        answer = await browser.post(
            urljoin(str(page.url), html.unescape(action.group(1))),
            data={"username": username, "password": password, "action": "login"},
        )
        for _ in range(6):
            if answer.status_code not in (302, 303):
                return answer  # the provider's form again (a refusal)
            location = urljoin(str(answer.url), answer.headers["location"])
            if location.startswith(f"{CONSOLE}/auth/callback"):
                split = urlsplit(location)
                return await console.get(f"{split.path}?{split.query}", follow_redirects=False)
            answer = await browser.get(location)
    raise AssertionError("the provider never sent the browser back")


async def test_login_session_csrf_and_logout(console, gateway_database) -> None:
    landed = await log_in(console, "operator1", "operator1-demo")
    assert landed.status_code in (302, 303), landed.text
    assert landed.headers["location"] == "/tickets?status=NEW"
    session_cookie = landed.headers["set-cookie"]
    assert "kohub_session=" in session_cookie and "HttpOnly" in session_cookie
    assert "SameSite=lax" in session_cookie and "Secure" not in session_cookie  # development

    db = await asyncpg.connect(gateway_database.replace("+asyncpg", ""))
    try:
        row = await db.fetchrow(
            "SELECT username, roles, access_token, csrf_token FROM console_sessions "
            "WHERE username = 'operator1' ORDER BY created_at DESC LIMIT 1"
        )
        assert row["roles"] == ["msp-operator"]
        assert not row["access_token"].startswith("ey")  # encrypted, not the JWT itself

        refused = await console.post(
            "/logout", data={"csrf_token": secrets.token_urlsafe(8)}, follow_redirects=False
        )
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")

        out = await console.post(
            "/logout", data={"csrf_token": row["csrf_token"]}, follow_redirects=False
        )
        assert out.status_code == 303
        assert (
            out.headers["location"].startswith("http://127.0.0.1:")
            and "/protocol/openid-connect/logout" in out.headers["location"]
        )
        left = await db.fetchval(
            "SELECT count(*) FROM console_sessions WHERE csrf_token = $1", row["csrf_token"]
        )
        assert left == 0
    finally:
        await db.close()


async def test_a_wrong_password_starts_no_session(console) -> None:
    answer = await log_in(console, "operator1", "not-the-password")
    assert answer.status_code == 200 and "kc-form-login" in answer.text


async def test_a_callback_that_does_not_match_is_refused(console) -> None:
    r = await console.get("/auth/callback", params={"code": "x", "state": "y"})
    assert r.status_code == 400
    forged = await console.get("/login", follow_redirects=False)
    assert forged.status_code in (302, 303)
    r = await console.get("/auth/callback", params={"code": "x", "state": "not-the-state"})
    assert r.status_code == 400 and "does not match" in r.json()["detail"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil"])
async def test_login_never_redirects_off_site(console, target) -> None:
    start = await console.get("/login", params={"next": target}, follow_redirects=False)
    assert start.status_code in (302, 303)
    assert start.headers["location"].startswith("http://127.0.0.1:")  # the provider
    assert safe_next(target) == "/"
