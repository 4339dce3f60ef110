"""The composition root: builds the adapters from settings and hands them to the handlers.
Tests call `bootstrap()` with fakes in place of the real adapters."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

import httpx
from faststream.rabbit import RabbitBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from kohub_platform.auth import Principal, TokenVerifier
from kohub_platform.db import asyncpg_dsn, create_engine, session_factory
from kohub_platform.messaging import RabbitPublisher, build_broker
from kohub_platform.relay import OutboxRelay
from kohub_platform.settings import ServiceSettings
from kohub_ticket.adapters.http.actors import actor_resolver
from kohub_ticket.adapters.http.recordings import AdapterGatewayRecordings
from kohub_ticket.adapters.postgres.queries import SqlTicketQueries
from kohub_ticket.adapters.postgres.terminal import SqlTerminalQueries
from kohub_ticket.adapters.postgres.unit_of_work import TicketUnitOfWork
from kohub_ticket.application.actors import Actor
from kohub_ticket.application.ports import Clock, TerminalRecordings, UnitOfWork
from kohub_ticket.application.queries import TerminalQueries, TicketQueries
from kohub_ticket.domain.alerts import AlertPolicy
from kohub_ticket.settings import alert_policy

ResolveActor = Callable[[Principal], Awaitable[Actor]]
RECORDINGS_TIMEOUT_SECONDS = 110.0  # under the gateway's 120 s for this call


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class TicketService:
    """Everything a controller or consumer needs, already wired."""

    uow: Callable[[], UnitOfWork]
    queries: TicketQueries
    resolve_actor: ResolveActor
    token_verifier: TokenVerifier
    clock: Clock = utc_now
    locale: str = "ko"
    alert_policy: AlertPolicy = field(default_factory=AlertPolicy)
    engine: AsyncEngine | None = None
    broker: RabbitBroker | None = None
    relay: OutboxRelay | None = None
    terminal: TerminalQueries | None = None
    recordings: TerminalRecordings | None = None
    http: httpx.AsyncClient | None = None


def bootstrap(
    settings: ServiceSettings,
    *,
    uow: Callable[[], UnitOfWork] | None = None,
    queries: TicketQueries | None = None,
    resolve_actor: ResolveActor | None = None,
    token_verifier: TokenVerifier | None = None,
    clock: Clock = utc_now,
    broker: RabbitBroker | None = None,
    terminal: TerminalQueries | None = None,
    recordings: TerminalRecordings | None = None,
) -> TicketService:
    """Real adapters for whatever is not given. Nothing connects until the app starts."""
    engine = None
    if uow is None or queries is None or resolve_actor is None:
        engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
        sessions = session_factory(engine)
        uow = uow or partial(TicketUnitOfWork, sessions)
        queries = queries or SqlTicketQueries(engine)
        resolve_actor = resolve_actor or actor_resolver(sessions)
        broker = broker or build_broker(settings.amqp_url, settings.service)
        terminal = terminal or SqlTerminalQueries(engine)
    http = None
    if recordings is None:
        # fetching recordings from Termix through the adapter gateway can take a while
        http = httpx.AsyncClient(timeout=httpx.Timeout(RECORDINGS_TIMEOUT_SECONDS))
        recordings = AdapterGatewayRecordings(http, settings.url_of("adapter"))
    relay = None
    if engine is not None and broker is not None and "relay" in settings.roles:
        relay = OutboxRelay(
            engine,
            RabbitPublisher(settings.amqp_url, f"kohub-{settings.service}"),
            listen_dsn=asyncpg_dsn(settings.database_url),
        )
    return TicketService(
        uow=uow,
        queries=queries,
        resolve_actor=resolve_actor,
        token_verifier=token_verifier or TokenVerifier(settings.oidc),
        clock=clock,
        locale=settings.locale,
        alert_policy=alert_policy(),
        engine=engine,
        broker=broker,
        relay=relay,
        terminal=terminal,
        recordings=recordings,
        http=http,
    )
