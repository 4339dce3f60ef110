"""Settings read from the environment, with the names of ARCHITECTURE.md in every service."""

import os
from dataclasses import dataclass, field
from typing import Literal

DEFAULT_ISSUER = "http://127.0.0.1:8080/realms/kecp-sso"
SERVICE_PORTS = {
    "gateway": 8000,
    "ticket": 8001,
    "host": 8002,
    "adapter": 8003,
    "integration": 8004,
}
ProcessRole = Literal["api", "worker", "relay"]


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _roles(raw: str) -> frozenset[str]:
    roles = frozenset(part.strip() for part in raw.split(",") if part.strip())
    unknown = roles - {"api", "worker", "relay"}
    if unknown:
        raise ValueError(f"KOHUB_ROLES has unknown roles: {sorted(unknown)}")
    return roles


@dataclass(frozen=True, slots=True)
class OidcSettings:
    issuer: str
    audience: str
    jwks_url: str
    jwks_cache_seconds: float = 600.0
    leeway_seconds: float = 30.0


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    service: str
    database_url: str
    amqp_url: str
    oidc: OidcSettings
    locale: Literal["ko", "en"] = "ko"
    host: str = "127.0.0.1"
    port: int = 8000
    roles: frozenset[str] = field(default_factory=lambda: frozenset({"api", "worker", "relay"}))
    log_level: str = "INFO"
    environment: str = "development"
    db_pool_size: int = 10
    web_concurrency: int = 1
    """uvicorn worker processes; each runs the API, its consumers and an outbox relay."""
    secret_keys: tuple[str, ...] = ()
    """Fernet keys for secrets kept encrypted (first encrypts); see kohub_platform.secrets.
    Only services that keep secrets read them (`secret_box`)."""
    service_urls: dict[str, str] = field(default_factory=dict)
    """Where the other services listen (`KOHUB_<SERVICE>_URL`)."""

    def url_of(self, service: str) -> str:
        return self.service_urls.get(
            service, f"http://127.0.0.1:{SERVICE_PORTS.get(service, 8000)}"
        )

    @classmethod
    def from_env(cls, service: str) -> "ServiceSettings":
        issuer = _env("KOHUB_OIDC_ISSUER", DEFAULT_ISSUER).rstrip("/")
        locale = _env("KOHUB_LOCALE", "ko")
        environment = _env("KOHUB_ENV", "development")
        if locale not in ("ko", "en"):
            raise ValueError("KOHUB_LOCALE must be 'ko' or 'en'")
        return cls(
            service=service,
            database_url=_env(
                "KOHUB_DATABASE_URL",
                f"postgresql+asyncpg://postgres@127.0.0.1:5432/kohub_{service}",
            ),
            amqp_url=_env("KOHUB_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
            oidc=OidcSettings(
                issuer=issuer,
                audience=_env("KOHUB_OIDC_AUDIENCE", "kohub"),
                jwks_url=_env("KOHUB_OIDC_JWKS_URL", f"{issuer}/protocol/openid-connect/certs"),
            ),
            locale=locale,  # type: ignore[arg-type]
            host=_env("HOST", "127.0.0.1"),
            port=int(_env("PORT", str(SERVICE_PORTS.get(service, 8000)))),
            roles=_roles(_env("KOHUB_ROLES", "api,worker,relay")),
            log_level=_env("KOHUB_LOG_LEVEL", "INFO").upper(),
            environment=environment,
            db_pool_size=int(_env("KOHUB_DB_POOL_SIZE", "10")),
            web_concurrency=int(_env("KOHUB_WEB_CONCURRENCY", "1")),
            secret_keys=tuple(
                key.strip() for key in _env("KOHUB_SECRET_KEYS", "").split(",") if key.strip()
            ),
            service_urls={
                name: _env(f"KOHUB_{name.upper()}_URL", f"http://127.0.0.1:{port}").rstrip("/")
                for name, port in SERVICE_PORTS.items()
            },
        )
