"""The adapter gateway with its lifespan (broker, consumers, outbox relay) against a
PostgreSQL database and a RabbitMQ vhost of this run, both removed afterwards.

Helpers shared by the test modules live here too; they import them from `.conftest`.
"""

import base64
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import msgspec
import pytest_asyncio
from litestar.testing import AsyncTestClient

from kohub_adapter.app import create_app
from kohub_adapter.bootstrap import AdapterService, bootstrap
from kohub_adapter.settings import GatewaySettings
from kohub_contracts.common import Ref
from kohub_contracts.enums import AdapterType, ConnectionType, HostAdapterStatus, HostStatus
from kohub_contracts.envelope import Envelope
from kohub_contracts.events import AdapterState, HostChanged, HostState
from kohub_platform.settings import ServiceSettings
from kohub_platform.testing import eventually, migrate

SERVICE_DIR = Path(__file__).resolve().parents[2]
FIXTURES = SERVICE_DIR / "tests" / "fixtures"
FORM_CONTENT_TYPE = (
    "multipart/form-data; boundary=--------------------------476418409613212953262375"
)
EXCHANGE = "kohub.events"
PROBLEM = "application/problem+json"
REJECTED = "The webhook credentials were not accepted."
WEBHOOK = {
    "uptime-kuma": "/api/v1/webhooks/uptime-kuma",
    "prometheus": "/api/v1/webhooks/prometheus",
    "grafana": "/api/v1/webhooks/grafana",
}
# a payload each webhook endpoint accepts
SAMPLE = {
    "uptime-kuma": "uptime_kuma_1_23_down.json",
    "prometheus": "alertmanager_real_firing.json",
    "grafana": "grafana_firing.json",
}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def auth(oidc: Any, role: str, org: str | None = None) -> dict[str, str]:
    roles = [] if role == "no-role" else [role]
    return oidc.headers(roles, org)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(token: str, user: str = "alertmanager") -> dict[str, str]:
    raw = base64.b64encode(f"{user}:{token}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


JSON = {"Content-Type": "application/json"}
TERMINAL_MAX_CAST_BYTES = 64 * 1024


def operator(oidc: Any, subject: str, role: str = "msp-operator") -> dict[str, str]:
    """An operator who stays the same person across requests (the token's subject)."""
    return oidc.headers([role], None, sub=subject)


async def create_source(client: Any, oidc: Any, adapter_type: str, **body: Any) -> dict[str, Any]:
    """A new webhook source: `{"source": {...}, "token": "khw_…"}` plus its ETag."""
    payload = {"adapterType": adapter_type, "name": f"{adapter_type}-{uuid.uuid4().hex[:6]}"}
    payload.update(body)
    r = await client.post("/api/v1/webhook-sources", json=payload, headers=auth(oidc, "msp-admin"))
    assert r.status_code == 201, r.text
    return {**r.json(), "etag": r.headers["etag"]}


async def send(
    client: Any,
    adapter_type: str,
    token: str | None,
    body: bytes | None = None,
    *,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Any:
    """POST a webhook as the tool would."""
    sent = {"Content-Type": content_type, **(bearer(token) if token else {}), **(headers or {})}
    content = fixture(SAMPLE[adapter_type]) if body is None else body
    return await client.post(WEBHOOK[adapter_type], content=content, headers=sent)


async def publish(
    channel: aio_pika.abc.AbstractChannel,
    routing_key: str,
    data: Any,
    *,
    source: str,
    event_id: str | None = None,
) -> str:
    """Publish an envelope on kohub.events as another service's relay would."""
    event_id = event_id or str(uuid.uuid4())
    envelope = Envelope(
        event_id=event_id,
        event_type=routing_key,
        timestamp=datetime.now(UTC),
        source=source,
        data=data,
    )
    exchange = await channel.get_exchange(EXCHANGE)
    await exchange.publish(
        aio_pika.Message(
            msgspec.json.encode(envelope),
            message_id=event_id,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        ),
        routing_key=routing_key,
    )
    return event_id


def host_state(
    *,
    org_id: str,
    name: str,
    adapters: list[tuple[AdapterType, dict[str, Any]]],
    host_id: uuid.UUID | None = None,
    org_name: str = "A사",
    version: int = 1,
) -> HostState:
    now = datetime.now(UTC)
    return HostState(
        host_id=host_id or uuid.uuid4(),
        organization=Ref(org_id, org_name),
        name=name,
        description="",
        connection_type=ConnectionType.SSH,
        tags=["production"],
        status=HostStatus.ACTIVE,
        adapters=[
            AdapterState(
                adapter_id=uuid.uuid4(),
                type=kind,
                status=HostAdapterStatus.ACTIVE,
                config=config,
            )
            for kind, config in adapters
        ],
        created_at=now,
        updated_at=now,
        version=version,
    )


async def publish_host(channel: aio_pika.abc.AbstractChannel, state: HostState) -> None:
    await publish(channel, "host.created", HostChanged(host=state), source="kohub.host")


async def until_mapped(client: Any, oidc: Any, host_id: Any) -> None:
    """Wait until the gateway's own host map (what webhooks are mapped with) has the host."""

    async def known() -> bool:
        r = await client.get(f"/api/internal/hosts/{host_id}", headers=auth(oidc, "msp-operator"))
        if r.status_code != 200:
            return False
        assert r.json()["hostId"] == str(host_id)
        return True

    await eventually(known)


async def tap(
    channel: aio_pika.abc.AbstractChannel, *patterns: str
) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """A temporary queue on kohub.events collecting what is published for `patterns`."""
    queue = await channel.declare_queue(exclusive=True)
    for pattern in patterns:
        await queue.bind(EXCHANGE, routing_key=pattern)
    received: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        received.append(message)
        await message.ack()

    await queue.consume(on_message)
    return received


def consumed(metrics: str, queue: str, outcome: str) -> float:
    """`kohub_messages_consumed_total{queue, outcome}` from /metrics (0 when absent)."""
    for line in metrics.splitlines():
        if (
            line.startswith("kohub_messages_consumed_total{")
            and f'queue="{queue}"' in line
            and f'outcome="{outcome}"' in line
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


# -- fixtures ------------------------------------------------------------------------------


@pytest_asyncio.fixture(scope="session")
async def adapter_settings(database_factory, amqp_url, oidc) -> ServiceSettings:
    url = await database_factory("adapter")
    migrate(SERVICE_DIR, url)
    return ServiceSettings(
        service="adapter", database_url=url, amqp_url=amqp_url, oidc=oidc.settings, db_pool_size=5
    )


@pytest_asyncio.fixture(scope="session")
async def adapter_service(adapter_settings) -> AdapterService:
    # explicit gateway settings: no default Prometheus or Termix from the environment, and
    # a recording limit a test can exceed cheaply
    gateway = GatewaySettings(terminal_max_cast_bytes=TERMINAL_MAX_CAST_BYTES)
    return bootstrap(adapter_settings, gateway=gateway)


@pytest_asyncio.fixture(scope="session")
async def client(adapter_settings, adapter_service) -> AsyncIterator[Any]:
    app = create_app(adapter_settings, adapter_service)
    async with AsyncTestClient(app=app) as client:
        yield client


@pytest_asyncio.fixture(scope="session")
async def db(adapter_settings) -> AsyncIterator[asyncpg.Pool]:
    """Plain SQL on the service's database, to see what is really stored."""
    dsn = adapter_settings.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    yield pool
    await pool.close()


@pytest_asyncio.fixture
async def channel(amqp_url, client) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A channel of its own connection (its exclusive queues go with it); `client` first, so
    the gateway has declared the exchanges."""
    connection = await aio_pika.connect(amqp_url)
    try:
        yield await connection.channel()
    finally:
        await connection.close()
