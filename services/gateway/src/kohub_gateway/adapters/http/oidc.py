"""The console's OpenID Connect client: authorization code with PKCE (S256) as a public
client of the `kecp-sso` realm, the token exchange, refresh, and the end-session URL. The
provider's endpoints come from its discovery document (Keycloak's paths, or the local
provider's, which mirrors them)."""

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx


class LoginFailed(Exception):
    """The provider refused or could not be asked (the console shows why)."""


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """Kept in a short-lived encrypted cookie between /login and /auth/callback."""

    state: str
    nonce: str
    verifier: str
    next_path: str


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    expires_in: int
    refresh_token: str | None
    id_token: str | None


def new_login(next_path: str) -> PendingLogin:
    return PendingLogin(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        verifier=secrets.token_urlsafe(48),
        next_path=next_path,
    )


def challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class OidcClient:
    def __init__(self, http: httpx.AsyncClient, issuer: str, client_id: str) -> None:
        self._http, self._issuer, self.client_id = http, issuer.rstrip("/"), client_id
        self._discovery: dict[str, Any] | None = None
        self._fetched_at = 0.0

    async def endpoints(self) -> dict[str, Any]:
        if self._discovery is None or time.monotonic() - self._fetched_at > 3600:
            try:
                r = await self._http.get(
                    f"{self._issuer}/.well-known/openid-configuration", timeout=5
                )
                r.raise_for_status()
            except httpx.HTTPError as exc:
                raise LoginFailed(f"The identity provider cannot be reached: {exc}") from exc
            self._discovery, self._fetched_at = r.json(), time.monotonic()
        return self._discovery

    async def authorization_url(self, login: PendingLogin, redirect_uri: str) -> str:
        endpoint = (await self.endpoints())["authorization_endpoint"]
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid profile email",
            "state": login.state,
            "nonce": login.nonce,
            "code_challenge": challenge(login.verifier),
            "code_challenge_method": "S256",
        }
        return f"{endpoint}?{urlencode(query)}"

    async def exchange(self, code: str, login: PendingLogin, redirect_uri: str) -> Tokens:
        return await self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": login.verifier,
            }
        )

    async def refresh(self, refresh_token: str) -> Tokens:
        return await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    async def end_session_url(self, id_token: str | None, after: str) -> str | None:
        endpoint = (await self.endpoints()).get("end_session_endpoint")
        if not endpoint:
            return None
        query = {"client_id": self.client_id, "post_logout_redirect_uri": after}
        if id_token:
            query["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(query)}"

    async def _token(self, form: dict[str, str]) -> Tokens:
        endpoint = (await self.endpoints())["token_endpoint"]
        try:
            r = await self._http.post(
                endpoint, data={**form, "client_id": self.client_id}, timeout=10
            )
        except httpx.HTTPError as exc:
            raise LoginFailed(f"The identity provider cannot be reached: {exc}") from exc
        if r.status_code != 200:
            raise LoginFailed(f"The identity provider refused: {r.text[:300]}")
        body = r.json()
        return Tokens(
            access_token=body["access_token"],
            expires_in=int(body.get("expires_in", 300)),
            refresh_token=body.get("refresh_token"),
            id_token=body.get("id_token"),
        )
