"""The integration service's composition root."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal

from faststream.rabbit import RabbitBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from kohub_integration.adapters.postgres.queries import IntegrationQueries
from kohub_integration.adapters.postgres.sync_tracking import SyncTracker
from kohub_integration.adapters.postgres.unit_of_work import IntegrationUnitOfWork
from kohub_integration.application.ports import UnitOfWork
from kohub_integration.settings import BridgeSettings
from kohub_platform.auth import TokenVerifier
from kohub_platform.db import asyncpg_dsn, create_engine, session_factory
from kohub_platform.messaging import RabbitPublisher, build_broker
from kohub_platform.relay import OutboxRelay
from kohub_platform.settings import ServiceSettings


@dataclass
class IntegrationService:
    uow: Callable[[], UnitOfWork]
    queries: IntegrationQueries
    token_verifier: TokenVerifier
    settings: ServiceSettings
    bridge: BridgeSettings
    locale: Literal["ko", "en"] = "ko"
    engine: AsyncEngine | None = None
    broker: RabbitBroker | None = None
    relay: OutboxRelay | None = None


def bootstrap(
    settings: ServiceSettings,
    *,
    bridge: BridgeSettings | None = None,
    token_verifier: TokenVerifier | None = None,
) -> IntegrationService:
    bridge = bridge or BridgeSettings.from_env()
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    relay = None
    if "relay" in settings.roles:
        relay = OutboxRelay(
            engine,
            RabbitPublisher(settings.amqp_url, f"kohub-{settings.service}"),
            listen_dsn=asyncpg_dsn(settings.database_url),
            on_settled=SyncTracker(bridge.retry_budget),
        )
    return IntegrationService(
        uow=partial(IntegrationUnitOfWork, session_factory(engine)),
        queries=IntegrationQueries(engine),
        token_verifier=token_verifier or TokenVerifier(settings.oidc),
        settings=settings,
        bridge=bridge,
        locale=settings.locale,
        engine=engine,
        broker=build_broker(settings.amqp_url, settings.service),
        relay=relay,
    )
