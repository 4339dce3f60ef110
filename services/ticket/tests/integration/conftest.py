from pathlib import Path

import pytest_asyncio
from litestar.testing import AsyncTestClient

from kohub_platform.settings import ServiceSettings
from kohub_platform.testing import migrate
from kohub_ticket.app import create_app

SERVICE_DIR = Path(__file__).resolve().parents[2]


@pytest_asyncio.fixture(scope="session")
async def ticket_settings(database_factory, amqp_url, oidc) -> ServiceSettings:
    url = await database_factory("ticket")
    migrate(SERVICE_DIR, url)
    return ServiceSettings(
        service="ticket", database_url=url, amqp_url=amqp_url, oidc=oidc.settings, db_pool_size=5
    )


@pytest_asyncio.fixture(scope="session")
async def client(ticket_settings):
    app = create_app(ticket_settings)
    async with AsyncTestClient(app=app) as client:
        yield client
