"""The integration service with its lifespan (broker, consumers, outbox relay) against a
PostgreSQL database and a RabbitMQ vhost of this run, both removed afterwards. Shared
helpers live here too; the test modules import them from `.conftest`."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import msgspec
import pytest_asyncio
from litestar.testing import AsyncTestClient

from kohub_contracts.common import Ref
from kohub_contracts.enums import TicketPriority, TicketSource, TicketStatus
from kohub_contracts.envelope import Envelope
from kohub_contracts.events import TicketSnapshot
from kohub_integration.app import create_app
from kohub_integration.bootstrap import IntegrationService, bootstrap
from kohub_integration.settings import BridgeSettings
from kohub_platform.settings import ServiceSettings
from kohub_platform.testing import migrate

SERVICE_DIR = Path(__file__).resolve().parents[2]


def auth(oidc: Any, role: str, org: str | None = None) -> dict[str, str]:
    return oidc.headers([] if role == "no-role" else [role], org)


def snapshot(
    *,
    source: TicketSource = TicketSource.UPTIME_KUMA,
    status: TicketStatus = TicketStatus.NEW,
    kusthub_id: str | None = None,
    version: int = 1,
    ticket_id: uuid.UUID | None = None,
) -> TicketSnapshot:
    created = datetime.now(UTC) - timedelta(hours=1, minutes=15)
    return TicketSnapshot(
        ticket_id=ticket_id or uuid.uuid4(),
        key=f"KH-2026-{uuid.uuid4().int % 100000:05d}",
        organization=Ref(str(uuid.uuid4()), "A사"),
        title="[장애] web-prod-01 - Connection refused",
        description="DOWN",
        priority=TicketPriority.CRITICAL,
        status=status,
        source=source,
        created_at=created,
        updated_at=datetime.now(UTC),
        version=version,
        host=Ref(str(uuid.uuid4()), "web-prod-01"),
        external_system="kusthub" if kusthub_id else None,
        external_ticket_id=kusthub_id,
    )


async def publish(
    channel: aio_pika.abc.AbstractChannel,
    exchange: str,
    routing_key: str,
    data: Any,
    *,
    source: str,
    event_id: str | None = None,
    body: bytes | None = None,
) -> str:
    """Publish an envelope as another service (or KustHub) would."""
    event_id = event_id or str(uuid.uuid4())
    envelope = Envelope(event_id, routing_key, datetime.now(UTC), source, data)
    target = await channel.get_exchange(exchange)
    await target.publish(
        aio_pika.Message(
            body if body is not None else msgspec.json.encode(envelope),
            message_id=event_id,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        ),
        routing_key=routing_key,
    )
    return event_id


async def tap(
    channel: aio_pika.abc.AbstractChannel, exchange: str, *patterns: str
) -> list[dict[str, Any]]:
    """A temporary queue collecting the decoded envelopes published for `patterns`."""
    queue = await channel.declare_queue(exclusive=True)
    for pattern in patterns:
        await queue.bind(exchange, routing_key=pattern)
    received: list[dict[str, Any]] = []

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        received.append(msgspec.json.decode(message.body))
        await message.ack()

    await queue.consume(on_message)
    return received


@pytest_asyncio.fixture(scope="session")
async def integration_settings(database_factory, amqp_url, oidc) -> ServiceSettings:
    url = await database_factory("integration")
    migrate(SERVICE_DIR, url)
    return ServiceSettings(
        service="integration",
        database_url=url,
        amqp_url=amqp_url,
        oidc=oidc.settings,
        db_pool_size=5,
    )


@pytest_asyncio.fixture(scope="session")
async def integration_service(integration_settings) -> IntegrationService:
    return bootstrap(integration_settings, bridge=BridgeSettings(retry_budget=3))


@pytest_asyncio.fixture(scope="session")
async def client(integration_settings, integration_service) -> AsyncIterator[Any]:
    app = create_app(integration_settings, integration_service)
    async with AsyncTestClient(app=app) as client:
        yield client


@pytest_asyncio.fixture(scope="session")
async def db(integration_settings) -> AsyncIterator[asyncpg.Pool]:
    dsn = integration_settings.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    yield pool
    await pool.close()


@pytest_asyncio.fixture
async def channel(amqp_url, client) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A channel of its own connection; `client` first, so the topology is declared."""
    connection = await aio_pika.connect(amqp_url)
    try:
        yield await connection.channel()
    finally:
        await connection.close()
