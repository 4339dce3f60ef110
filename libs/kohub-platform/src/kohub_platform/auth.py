"""Bearer JWT authentication against the realm's JWKS, role guards and organization scope.

Tokens are verified here in every service (the gateway checks too): RS256 only, the key
picked by `kid` from a cached JWKS that is fetched again when an unknown `kid` appears,
and `iss`, `aud` (or Keycloak's `azp`), `exp` and `nbf` checked.
"""

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import jwt
import structlog
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from kohub_contracts.enums import Role
from kohub_platform.errors import Forbidden, Unauthorized
from kohub_platform.settings import OidcSettings

log = structlog.get_logger("kohub.auth")
PINNED_ALGORITHM = "RS256"
OPERATOR_ROLES = frozenset({Role.MSP_ADMIN.value, Role.MSP_OPERATOR.value})


@dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller."""

    subject: str
    roles: frozenset[str]
    org_id: str | None = None
    name: str | None = None
    email: str | None = None
    username: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def has_any(self, roles: Iterable[str]) -> bool:
        return Role.MSP_ADMIN.value in self.roles or not self.roles.isdisjoint(roles)

    @property
    def is_operator(self) -> bool:
        return not self.roles.isdisjoint(OPERATOR_ROLES)

    @property
    def is_admin(self) -> bool:
        return Role.MSP_ADMIN.value in self.roles

    @property
    def display_name(self) -> str:
        return self.name or self.username or self.email or self.subject

    def org_uuid(self) -> UUID | None:
        try:
            return UUID(self.org_id) if self.org_id else None
        except ValueError:
            return None


class JwksCache:
    """Keys by `kid`, fetched with httpx (or read from a `file://` URL in development)."""

    def __init__(
        self,
        url: str,
        *,
        ttl: float = 600.0,
        min_refresh_interval: float = 10.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = url
        self._ttl = ttl
        self._min_refresh_interval = min_refresh_interval
        self._client = client
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._attempted_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str | None) -> Any:
        now = time.monotonic()
        stale = not self._keys or now - self._fetched_at > self._ttl
        if stale or kid not in self._keys:  # a new kid usually means the realm rotated keys
            await self._refresh()
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        if kid not in self._keys:
            raise Unauthorized("The token was signed by an unknown key.")
        return self._keys[kid]

    async def _refresh(self) -> None:
        """At most one fetch at a time and one per `min_refresh_interval`, successful or not:
        while the identity provider is away, requests use the keys they have (or are refused
        at once) instead of queueing behind fetches."""
        if time.monotonic() - self._attempted_at < self._min_refresh_interval:
            return
        async with self._lock:
            if time.monotonic() - self._attempted_at < self._min_refresh_interval:
                return  # another request refreshed while this one waited
            self._attempted_at = time.monotonic()
            try:
                document = await self._fetch()
            except (httpx.HTTPError, OSError, ValueError) as exc:
                log.warning("jwks fetch failed", url=self._url, error=str(exc))
                if not self._keys:
                    raise Unauthorized("The identity provider's keys are unavailable.") from exc
                return
            keys: dict[str, Any] = {}
            for jwk in document.get("keys", []):
                if jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
                    continue
                try:
                    keys[jwk.get("kid", "")] = jwt.PyJWK(jwk, algorithm=PINNED_ALGORITHM).key
                except jwt.PyJWKError as exc:  # one bad key must not cost the others
                    log.warning("jwks key skipped", kid=jwk.get("kid"), error=str(exc))
            if keys:
                self._keys = keys
                self._fetched_at = time.monotonic()

    async def _fetch(self) -> dict[str, Any]:
        if self._url.startswith("file://"):
            # development only: a small local file
            return json.loads(Path(self._url.removeprefix("file://")).read_text())  # noqa: ASYNC240
        client = self._client or httpx.AsyncClient(timeout=5.0)
        try:
            response = await client.get(self._url)
            response.raise_for_status()
            return response.json()
        finally:
            if self._client is None:
                await client.aclose()


class TokenVerifier:
    """Verifies bearer tokens; a token already verified is remembered until it expires (a
    client sends the same token with every request: one RSA check, not one per request)."""

    CACHE_SIZE = 10_000

    def __init__(self, settings: OidcSettings, jwks: JwksCache | None = None) -> None:
        self._settings = settings
        self._jwks = jwks or JwksCache(settings.jwks_url, ttl=settings.jwks_cache_seconds)
        self._verified: dict[str, tuple[float, Principal]] = {}

    async def verify(self, token: str) -> Principal:
        hit = self._verified.get(token)
        if hit is not None:
            if hit[0] > time.time():
                return hit[1]
            del self._verified[token]
        principal = await self._verify(token)
        if len(self._verified) >= self.CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (float(principal.claims["exp"]), principal)
        return principal

    async def _verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("The bearer token is malformed.") from exc
        if header.get("alg") != PINNED_ALGORITHM:
            raise Unauthorized("The token's algorithm is not accepted.")
        key = await self._jwks.key_for(header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[PINNED_ALGORITHM],
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The token has expired.") from exc
        except jwt.ImmatureSignatureError as exc:
            raise Unauthorized("The token is not valid yet.") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthorized("The token was issued by another issuer.") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("The token is invalid.") from exc
        if not self._audience_ok(claims):
            raise Unauthorized("The token is meant for another audience.")
        if claims.get("typ", "Bearer") != "Bearer":  # an ID or refresh token is no access token
            raise Unauthorized("Only access tokens are accepted.")
        return principal_from_claims(claims)

    def _audience_ok(self, claims: dict[str, Any]) -> bool:
        """`aud` must name kohub. Keycloak access tokens without an audience mapper carry only
        `aud: account` (or none): then the authorized party `azp` must be kohub."""
        aud = claims.get("aud")
        audiences = {aud} if isinstance(aud, str) else set(aud or [])
        if self._settings.audience in audiences:
            return True
        return audiences <= {"account"} and claims.get("azp") == self._settings.audience


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    realm_access = claims.get("realm_access") or {}
    roles = realm_access.get("roles") if isinstance(realm_access, dict) else None
    org = claims.get("org_id")
    if isinstance(org, list):  # Keycloak attribute mappers may emit multivalued claims
        org = org[0] if org else None
    return Principal(
        subject=str(claims["sub"]),
        roles=frozenset(str(r) for r in (roles or [])),
        org_id=str(org) if org else None,
        name=claims.get("name"),
        email=claims.get("email"),
        username=claims.get("preferred_username"),
        claims=claims,
    )


PUBLIC_PATHS = ("/health", "/ready", "/metrics", "/schema", "/asyncapi.json")


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    """Puts the verified Principal on `request.user`; the verifier comes from app state."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("A bearer token is required.")
        verifier: TokenVerifier = connection.app.state.token_verifier
        principal = await verifier.verify(token.strip())
        return AuthenticationResult(user=principal, auth=token)


Guard = Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]


def require_roles(*roles: Role) -> Guard:
    """A Litestar guard: the caller holds one of `roles` (msp-admin holds every role)."""
    wanted = frozenset(r.value for r in roles)

    # async: Litestar runs a sync guard in a worker thread, a cost on every request
    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        principal: Principal = connection.user
        if not principal.has_any(wanted):
            raise Forbidden(f"This action needs one of the roles: {', '.join(sorted(wanted))}.")

    guard.__name__ = f"require_{'_or_'.join(sorted(wanted))}"
    return guard
