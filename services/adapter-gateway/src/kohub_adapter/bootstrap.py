"""The adapter gateway's composition root."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

import httpx
from faststream.rabbit import RabbitBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from kohub_adapter.adapters.http.rate_limit import RateLimiter
from kohub_adapter.adapters.postgres.credentials import SqlTerminalCredentialStore
from kohub_adapter.adapters.postgres.ingest import GroupCommitIngestStore
from kohub_adapter.adapters.postgres.queries import SqlAdapterQueries
from kohub_adapter.adapters.postgres.read_model import CachedHostMap
from kohub_adapter.adapters.postgres.sources import CachedSourceDirectory
from kohub_adapter.adapters.postgres.unit_of_work import AdapterUnitOfWork
from kohub_adapter.adapters.tools.monitoring import (
    GrafanaAdapter,
    PrometheusAdapter,
    UptimeKumaAdapter,
)
from kohub_adapter.adapters.tools.termix import TermixAdapter
from kohub_adapter.application.ports import (
    Clock,
    HostMapSource,
    IngestStore,
    SourceDirectory,
    TerminalCredentialStore,
    UnitOfWork,
)
from kohub_adapter.application.terminal import TerminalTool
from kohub_adapter.application.tools import AdapterRegistry
from kohub_adapter.settings import GatewaySettings
from kohub_platform.auth import TokenVerifier
from kohub_platform.db import asyncpg_dsn, create_engine, session_factory
from kohub_platform.messaging import RabbitPublisher, build_broker
from kohub_platform.relay import OutboxRelay
from kohub_platform.secrets import secret_box
from kohub_platform.settings import ServiceSettings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class AdapterService:
    uow: Callable[[], UnitOfWork]
    queries: SqlAdapterQueries
    sources: SourceDirectory
    host_map: HostMapSource
    ingest: IngestStore
    registry: AdapterRegistry
    terminal: TerminalTool
    terminal_credentials: TerminalCredentialStore
    token_verifier: TokenVerifier
    settings: ServiceSettings
    gateway: GatewaySettings
    clock: Clock = utc_now
    rate_limiter: RateLimiter = field(default_factory=RateLimiter)
    engine: AsyncEngine | None = None
    broker: RabbitBroker | None = None
    relay: OutboxRelay | None = None
    http: httpx.AsyncClient | None = None


def bootstrap(
    settings: ServiceSettings,
    *,
    gateway: GatewaySettings | None = None,
    clock: Clock = utc_now,
    token_verifier: TokenVerifier | None = None,
) -> AdapterService:
    gateway = gateway or GatewaySettings.from_env()
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    box = secret_box(settings.secret_keys, settings.environment)
    queries = SqlAdapterQueries(engine, box)
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(gateway.status_timeout_seconds),
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=10),
    )
    termix = TermixAdapter(
        http,
        clock,
        default_url=gateway.termix_url,
        timeout=gateway.termix_timeout_seconds,
        max_cast_bytes=gateway.terminal_max_cast_bytes,
        allowed_origins=gateway.termix_allowed_origins,
    )
    registry = AdapterRegistry(
        [
            UptimeKumaAdapter(queries.host_history, clock),
            PrometheusAdapter(queries.host_history, clock, http, gateway.prometheus_url),
            GrafanaAdapter(queries.host_history, clock),
            termix,
        ]
    )
    relay = None
    if "relay" in settings.roles:
        relay = OutboxRelay(
            engine,
            RabbitPublisher(settings.amqp_url, f"kohub-{settings.service}"),
            listen_dsn=asyncpg_dsn(settings.database_url),
        )
    return AdapterService(
        uow=partial(AdapterUnitOfWork, session_factory(engine), box),
        queries=queries,
        sources=CachedSourceDirectory(engine, box),
        host_map=CachedHostMap(engine),
        ingest=GroupCommitIngestStore(engine),
        registry=registry,
        terminal=termix,
        terminal_credentials=SqlTerminalCredentialStore(engine, box),
        token_verifier=token_verifier or TokenVerifier(settings.oidc),
        settings=settings,
        gateway=gateway,
        clock=clock,
        engine=engine,
        broker=build_broker(settings.amqp_url, settings.service),
        relay=relay,
        http=http,
    )
