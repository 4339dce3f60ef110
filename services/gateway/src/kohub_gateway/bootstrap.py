"""The gateway's composition root."""

from dataclasses import dataclass

import httpx

from kohub_gateway.settings import GatewaySettings
from kohub_platform.auth import TokenVerifier
from kohub_platform.settings import ServiceSettings

OWNED = ("ticket", "host", "adapter", "integration")


@dataclass
class GatewayService:
    settings: ServiceSettings
    gateway: GatewaySettings
    http: httpx.AsyncClient
    urls: dict[str, str]
    token_verifier: TokenVerifier


def bootstrap(
    settings: ServiceSettings,
    *,
    gateway: GatewaySettings | None = None,
    token_verifier: TokenVerifier | None = None,
) -> GatewayService:
    gateway = gateway or GatewaySettings.from_env()
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(gateway.timeout_seconds, connect=gateway.connect_timeout_seconds),
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        follow_redirects=False,
    )
    return GatewayService(
        settings=settings,
        gateway=gateway,
        http=http,
        urls={name: settings.url_of(name) for name in OWNED},
        token_verifier=token_verifier or TokenVerifier(settings.oidc),
    )
