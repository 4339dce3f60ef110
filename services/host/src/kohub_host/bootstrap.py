"""The host service's composition root."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from uuid import UUID

import httpx
from faststream.rabbit import RabbitBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from kohub_contracts.hosts import CurrentStatus
from kohub_host.adapters.http.live_status import AdapterGatewayStatus
from kohub_host.adapters.http.terminal_links import TerminalLinks
from kohub_host.adapters.postgres.queries import SqlHostQueries
from kohub_host.adapters.postgres.tables import users
from kohub_host.adapters.postgres.unit_of_work import HostUnitOfWork
from kohub_host.application import handlers
from kohub_host.application.commands import SaveOrganization
from kohub_host.application.ports import Clock, UnitOfWork
from kohub_host.application.queries import HostQueries
from kohub_platform.auth import Principal, TokenVerifier
from kohub_platform.db import Sessions, asyncpg_dsn, create_engine, session_factory
from kohub_platform.messaging import RabbitPublisher, build_broker
from kohub_platform.relay import OutboxRelay
from kohub_platform.settings import ServiceSettings
from kohub_platform.users import PrincipalCache, upsert_user

LiveStatus = Callable[[UUID, str | None], Awaitable[CurrentStatus | None]]
# The gateway asks the tool within its own (shorter) timeout; this bounds the whole call.
LIVE_STATUS_TIMEOUT_SECONDS = 3.0


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class HostService:
    uow: Callable[[], UnitOfWork]
    queries: HostQueries
    know_caller: Callable[[Principal], Awaitable[object]]
    token_verifier: TokenVerifier
    settings: ServiceSettings
    clock: Clock = utc_now
    engine: AsyncEngine | None = None
    broker: RabbitBroker | None = None
    relay: OutboxRelay | None = None
    live_status: LiveStatus | None = None
    http: httpx.AsyncClient | None = None
    terminal: "TerminalLinks | None" = None


def caller_registry(
    sessions: Sessions, uow: Callable[[], UnitOfWork], clock: Clock
) -> PrincipalCache[bool]:
    """Keep the user's reference row, and create an organization first seen in a token."""

    async def register(principal: Principal) -> bool:
        async with sessions() as session, session.begin():
            await upsert_user(
                session,
                users,
                keycloak_id=principal.subject,
                name=principal.display_name,
                email=principal.email,
                org_id=principal.org_uuid(),
                roles=principal.roles,
                at=clock(),
            )
        org_id = principal.org_uuid()
        if org_id is not None:
            await handlers.save_organization(SaveOrganization(None, org_id), uow(), clock)
        return True

    return PrincipalCache(register)


def bootstrap(
    settings: ServiceSettings,
    *,
    clock: Clock = utc_now,
    token_verifier: TokenVerifier | None = None,
) -> HostService:
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    sessions = session_factory(engine)
    uow = partial(HostUnitOfWork, sessions)
    broker = build_broker(settings.amqp_url, settings.service)
    relay = None
    if "relay" in settings.roles:
        relay = OutboxRelay(
            engine,
            RabbitPublisher(settings.amqp_url, f"kohub-{settings.service}"),
            listen_dsn=asyncpg_dsn(settings.database_url),
        )
    http = httpx.AsyncClient(timeout=httpx.Timeout(LIVE_STATUS_TIMEOUT_SECONDS))
    return HostService(
        uow=uow,
        queries=SqlHostQueries(engine),
        know_caller=caller_registry(sessions, uow, clock),
        token_verifier=token_verifier or TokenVerifier(settings.oidc),
        settings=settings,
        clock=clock,
        engine=engine,
        broker=broker,
        relay=relay,
        live_status=AdapterGatewayStatus(http, settings.url_of("adapter")),
        http=http,
        terminal=TerminalLinks(http, settings.url_of("adapter"), settings.url_of("ticket")),
    )
