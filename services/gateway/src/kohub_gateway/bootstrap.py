"""The gateway's composition root."""

from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
from litestar import Request
from sqlalchemy.ext.asyncio import AsyncEngine

from kohub_gateway.adapters.http.oidc import OidcClient
from kohub_gateway.adapters.http.sessions import LANGUAGE_COOKIE, ConsoleSession
from kohub_gateway.adapters.http.upstream import HttpOwners, child_traceparent, owners_client
from kohub_gateway.adapters.postgres.sessions import SessionStore
from kohub_gateway.application import dashboard
from kohub_gateway.routing import SERVICE_NAMES, owner_of
from kohub_gateway.settings import GatewaySettings
from kohub_platform.auth import TokenVerifier
from kohub_platform.db import create_engine
from kohub_platform.secrets import SecretBox, secret_box
from kohub_platform.settings import ServiceSettings

OWNED = ("ticket", "host", "adapter", "integration")
DASHBOARD = "/api/v1/dashboard/"


@dataclass
class GatewayService:
    settings: ServiceSettings
    gateway: GatewaySettings
    http: httpx.AsyncClient
    urls: dict[str, str]
    token_verifier: TokenVerifier
    box: SecretBox
    oidc: OidcClient
    sessions: SessionStore
    engine: AsyncEngine
    figures: dashboard.FiguresCache = field(default_factory=dashboard.FiguresCache)

    @property
    def public_url(self) -> str:
        return self.gateway.public_url

    @property
    def redirect_uri(self) -> str:
        return f"{self.gateway.public_url}/auth/callback"

    async def console_api(
        self,
        request: Request[Any, Any, Any],
        session: ConsoleSession,
        method: str,
        path: str,
        params: Any,
        json: Any,
        headers: dict[str, str] | None,
        files: Any = None,
    ) -> httpx.Response:
        """The console's calls, as the session's user (see sessions.call); `files` makes the
        body multipart/form-data (a terminal recording uploaded to a ticket)."""
        sent = {
            "Authorization": f"Bearer {session.access_token}",
            "Accept-Language": request.cookies.get(LANGUAGE_COOKIE, "ko"),
            "traceparent": child_traceparent(request.headers.get("traceparent")),
            **(headers or {}),
        }
        if request_id := request.scope.get("state", {}).get("request_id"):
            sent["X-Request-ID"] = request_id
        if path.startswith(DASHBOARD):
            return await self._dashboard(path[len(DASHBOARD) :], sent, params or {})
        owner = owner_of(path)
        if owner is None:
            return _problem(404, "No such API path.")
        try:
            return await self.http.request(
                method,
                self.urls[owner] + path,
                params=params,
                json=json,
                files=files,
                headers=sent,
                timeout=self.gateway.timeouts(method, path),
            )
        except httpx.TimeoutException:
            return _problem(504, f"The {SERVICE_NAMES[owner]} did not answer in time.")
        except httpx.HTTPError:
            return _problem(502, f"The {SERVICE_NAMES[owner]} is not reachable.")

    async def _dashboard(
        self, part: str, headers: dict[str, str], params: dict[str, Any]
    ) -> httpx.Response:
        owners = HttpOwners(self.http, self.urls, headers, self.gateway.dashboard_timeout_seconds)
        tz, days = params.get("tz", "UTC"), int(params.get("days", 7))
        limit = int(params.get("limit", dashboard.RECENT))
        parts = {
            "summary": lambda: dashboard.summary(owners, tz=tz, days=days),
            "tickets-status": lambda: dashboard.tickets_status(owners, tz=tz, days=days),
            "hosts-status": lambda: dashboard.hosts_status(owners),
            "recent-alerts": lambda: dashboard.recent_alerts(owners, limit),
            "recent-tickets": lambda: dashboard.recent_tickets(owners, limit),
        }
        if part not in parts:
            return _problem(404, "No such dashboard part.")
        result = await parts[part]()
        return httpx.Response(200, content=msgspec.json.encode(result))


def _problem(status: int, detail: str) -> httpx.Response:
    body = {"type": "about:blank", "status": status, "detail": detail}
    return httpx.Response(
        status,
        content=msgspec.json.encode(body),
        headers={"content-type": "application/problem+json"},
    )


def bootstrap(
    settings: ServiceSettings,
    *,
    gateway: GatewaySettings | None = None,
    token_verifier: TokenVerifier | None = None,
) -> GatewayService:
    gateway = gateway or GatewaySettings.from_env()
    http = owners_client(gateway.timeouts())
    verifier = token_verifier or TokenVerifier(settings.oidc)
    box = secret_box(settings.secret_keys, settings.environment)
    oidc = OidcClient(http, settings.oidc.issuer, gateway.console_client_id)
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    return GatewayService(
        settings=settings,
        gateway=gateway,
        http=http,
        urls={name: settings.url_of(name) for name in OWNED},
        token_verifier=verifier,
        box=box,
        oidc=oidc,
        sessions=SessionStore(engine, box, oidc, verifier),
        engine=engine,
    )
