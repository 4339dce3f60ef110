"""Helpers of the identity provider tests: the provider as a process, PKCE, and a browser's
walk through the login (authorization code flow) driven with httpx."""

import base64
import hashlib
import html
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from kohub_platform.auth import TokenVerifier
from kohub_platform.settings import OidcSettings
from kohub_platform.testing import eventually

ROOT = Path(__file__).resolve().parents[2]
IDP_DIR = ROOT / "tools" / "idp"
REALM_DATA = json.loads((IDP_DIR / "realm-data.json").read_text())
EXPORT_PATH = ROOT / "deploy" / "keycloak" / "kecp-sso-realm.json"
REALM = REALM_DATA["realm"]["name"]
CONSOLE = next(c for c in REALM_DATA["clients"] if c["clientId"] == "kohub-console")
KUSTHUB = next(c for c in REALM_DATA["clients"] if c["clientId"] == "kusthub")
REDIRECT_URI = CONSOLE["redirectUris"][0]
ORG_IDS = {o["key"]: o["id"] for o in REALM_DATA["organizations"]}


def user(username: str) -> dict[str, Any]:
    return next(u for u in REALM_DATA["users"] if u["username"] == username)


def node() -> str:
    exe = shutil.which("node")
    assert exe, "Node.js is required (the identity provider runs on it)"
    assert (IDP_DIR / "node_modules" / "oidc-provider").is_dir(), (
        "tools/idp has no node_modules: run `npm ci --prefix tools/idp`"
    )
    return exe


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Idp:
    """`node tools/idp/server.mjs` on a free port; its stdout goes to `log`."""

    key_file: Path
    log: Path
    env: dict[str, str]
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/realms/{REALM}"

    def endpoint(self, name: str) -> str:
        return f"{self.issuer}/protocol/openid-connect/{name}"

    async def start(self) -> "Idp":
        self.port = self.port or free_port()
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("KOHUB_IDP_")}
        env = {
            **inherited,
            "KOHUB_IDP_PORT": str(self.port),
            "KOHUB_IDP_ISSUER": self.issuer,
            "KOHUB_IDP_KEY_FILE": str(self.key_file),
            **self.env,
        }
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own server
                [node(), str(IDP_DIR / "server.mjs")],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

        async def healthy() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"the provider exited:\n{self.log.read_text()[-3000:]}")
            try:
                async with httpx.AsyncClient() as client:
                    return (await client.get(f"{self.base_url}/health")).status_code == 200
            except httpx.HTTPError:
                return False

        await eventually(healthy, timeout=20, interval=0.1)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.log.read_text().splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines

    def verifier(self) -> TokenVerifier:
        """kohub's own verifier, as every service builds it, against this provider."""
        return TokenVerifier(
            OidcSettings(issuer=self.issuer, audience="kohub", jwks_url=self.endpoint("certs"))
        )


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def form_action(page: str, base: str) -> str:
    match = re.search(r'<form id="kc-form-login"[^>]*action="([^"]+)"', page)
    assert match, f"no login form in:\n{page[:2000]}"
    return urljoin(base, html.unescape(match.group(1)))


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@dataclass
class Authorization:
    """An authorization request in flight: what the console keeps between its redirects."""

    verifier: str
    state: str
    nonce: str
    login_page: httpx.Response


async def start_authorization(
    browser: httpx.AsyncClient, idp: Idp, *, scope: str = "openid profile email"
) -> Authorization:
    """GET the authorization endpoint as the console's redirect would; answers the login page."""
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    response = await browser.get(
        idp.endpoint("auth"),
        params={
            "client_id": CONSOLE["clientId"],
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code in (302, 303), response.text
    login_url = urljoin(idp.base_url, response.headers["location"])
    assert urlsplit(login_url).path.startswith(f"/realms/{REALM}/login-actions/")
    page = await browser.get(login_url)
    assert page.status_code == 200, page.text
    return Authorization(verifier, state, nonce, page)


async def submit_login(
    browser: httpx.AsyncClient, idp: Idp, page: httpx.Response, username: str, password: str
) -> httpx.Response:
    return await browser.post(
        form_action(page.text, str(page.url)),
        data={"username": username, "password": password, "action": "login"},
    )


async def follow_to_redirect_uri(browser: httpx.AsyncClient, response: httpx.Response) -> str:
    """Follow the provider's redirects until one leaves for the console's redirect URI."""
    for _ in range(6):
        assert response.status_code in (302, 303), response.text[:2000]
        location = urljoin(str(response.url), response.headers["location"])
        if location.startswith(REDIRECT_URI):
            return location
        response = await browser.get(location)
    raise AssertionError("too many redirects")


async def exchange_code(
    browser: httpx.AsyncClient, idp: Idp, code: str, verifier: str
) -> httpx.Response:
    return await browser.post(
        idp.endpoint("token"),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": CONSOLE["clientId"],
            "code_verifier": verifier,
        },
    )


async def login(
    browser: httpx.AsyncClient, idp: Idp, username: str, *, scope: str = "openid profile email"
) -> dict[str, Any]:
    """The whole authorization code + PKCE flow for a demo user; answers the token response."""
    auth = await start_authorization(browser, idp, scope=scope)
    response = await submit_login(
        browser, idp, auth.login_page, username, user(username)["password"]
    )
    callback = query_of(await follow_to_redirect_uri(browser, response))
    assert callback.get("state") == auth.state, callback
    assert callback.get("iss") == idp.issuer, callback
    tokens = await exchange_code(browser, idp, callback["code"], auth.verifier)
    assert tokens.status_code == 200, tokens.text
    return {**tokens.json(), "nonce": auth.nonce}
