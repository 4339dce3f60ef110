"""RabbitMQ away at start: the service still serves, says it is not ready, keeps the events
in the outbox, and shuts down cleanly."""

import dataclasses
import uuid

from litestar.testing import AsyncTestClient
from sqlalchemy import text

from kohub_platform.db import create_engine
from kohub_platform.testing import migrate
from kohub_ticket.app import create_app

from .conftest import SERVICE_DIR


async def test_service_starts_and_keeps_events_without_rabbitmq(
    ticket_settings, database_factory, oidc
) -> None:
    # a database of its own: no other relay of this test run may publish its outbox
    url = await database_factory("ticket_outage")
    migrate(SERVICE_DIR, url)
    settings = dataclasses.replace(
        ticket_settings, database_url=url, amqp_url="amqp://guest:guest@127.0.0.1:9/"
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.get("/health")).status_code == 200
        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == "ok"
        assert ready.json()["checks"]["broker"].startswith("unavailable")
        headers = oidc.headers(["msp-operator"])
        created = await client.post(
            "/api/v1/tickets",
            headers=headers,
            json={"title": "x", "organizationId": str(uuid.uuid4())},
        )
        assert created.status_code == 201
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            pending = (
                await conn.execute(
                    text(
                        "SELECT count(*) FROM outbox WHERE published_at IS NULL "
                        "AND convert_from(body, 'UTF8') LIKE :id"
                    ),
                    {"id": f"%{created.json()['id']}%"},
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    assert pending == 1, "the event waits in the outbox for the broker"
