"""The adapter gateway's settings: the shared names of ARCHITECTURE.md plus its own."""

import os
from dataclasses import dataclass

from kohub_adapter.domain.terminal import origin
from kohub_platform.settings import ServiceSettings

SERVICE_NAME = "adapter"


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    prometheus_url: str | None = None
    """Default Prometheus for status queries (`KOHUB_PROMETHEUS_URL`); a host's prometheus
    adapter may name its own with config `url`."""
    status_timeout_seconds: float = 2.0
    max_body_bytes: int = 1_048_576
    retention_days: int = 30
    """Received webhooks (raw bodies) and their alerts are deleted after this many days."""
    termix_url: str | None = None
    """A Termix whose health `GET /api/v1/adapters` reports (`KOHUB_TERMIX_URL`); the
    terminals and recordings themselves are at each host's termix adapter `baseUrl`."""
    termix_timeout_seconds: float = 10.0
    """Per request to Termix (`KOHUB_TERMIX_TIMEOUT_SECONDS`): a long recording takes time."""
    termix_allowed_origins: frozenset[str] = frozenset()
    """The Termix servers (`scheme://host[:port]`, `KOHUB_TERMIX_ALLOWED_ORIGINS`, comma-
    separated) operators' keys may be sent to; empty: any (set it in production)."""
    terminal_max_cast_bytes: int = 16 * 1024 * 1024
    """The largest recording fetched (`KOHUB_TERMINAL_MAX_CAST_BYTES`); a longer one is
    refused whole, never cut."""

    @classmethod
    def from_env(cls) -> "GatewaySettings":
        return cls(
            prometheus_url=os.environ.get("KOHUB_PROMETHEUS_URL", "").strip() or None,
            status_timeout_seconds=float(os.environ.get("KOHUB_STATUS_TIMEOUT_SECONDS", "2")),
            retention_days=int(os.environ.get("KOHUB_ADAPTER_RETENTION_DAYS", "30")),
            termix_url=os.environ.get("KOHUB_TERMIX_URL", "").strip() or None,
            termix_timeout_seconds=float(os.environ.get("KOHUB_TERMIX_TIMEOUT_SECONDS", "10")),
            termix_allowed_origins=frozenset(
                origin(o)
                for o in os.environ.get("KOHUB_TERMIX_ALLOWED_ORIGINS", "").split(",")
                if o.strip()
            ),
            terminal_max_cast_bytes=int(
                os.environ.get("KOHUB_TERMINAL_MAX_CAST_BYTES", str(16 * 1024 * 1024))
            ),
        )


def load_settings() -> ServiceSettings:
    return ServiceSettings.from_env(SERVICE_NAME)
