"""The gateway's settings: the shared names of ARCHITECTURE.md plus its own."""

import os
from dataclasses import dataclass

import httpx

from kohub_gateway.routing import read_timeout
from kohub_platform.settings import ServiceSettings

SERVICE_NAME = "gateway"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
DEFAULT_CONSOLE_CLIENT = "kohub-console"


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    timeout_seconds: float = 15.0
    """How long a proxied request may wait for its owner (then 504)."""
    connect_timeout_seconds: float = 2.0
    """How long to wait for a connection to an owner (then 502)."""
    dashboard_timeout_seconds: float = 3.0
    """Per part of the dashboard: a slower owner is reported missing, the rest answered."""
    public_url: str = DEFAULT_PUBLIC_URL
    """Where browsers reach the console (`KOHUB_PUBLIC_URL`): the login's redirect URI."""
    console_client_id: str = DEFAULT_CONSOLE_CLIENT
    """The console's public OIDC client (`KOHUB_CONSOLE_CLIENT_ID`)."""

    def timeouts(self, method: str = "GET", path: str = "") -> httpx.Timeout:
        """For a call to an owner: `timeout_seconds` to answer, more for a long call."""
        read = read_timeout(method, path, self.timeout_seconds)
        return httpx.Timeout(read, connect=self.connect_timeout_seconds)

    @classmethod
    def from_env(cls) -> "GatewaySettings":
        return cls(
            timeout_seconds=float(os.environ.get("KOHUB_GATEWAY_TIMEOUT_SECONDS", "15")),
            dashboard_timeout_seconds=float(os.environ.get("KOHUB_DASHBOARD_TIMEOUT_SECONDS", "3")),
            public_url=os.environ.get("KOHUB_PUBLIC_URL", DEFAULT_PUBLIC_URL).rstrip("/"),
            console_client_id=os.environ.get("KOHUB_CONSOLE_CLIENT_ID", DEFAULT_CONSOLE_CLIENT),
        )


def load_settings() -> ServiceSettings:
    return ServiceSettings.from_env(SERVICE_NAME)
