from pathlib import Path

import pytest_asyncio
from litestar.testing import AsyncTestClient

from kohub_host.app import create_app
from kohub_platform.settings import ServiceSettings
from kohub_platform.testing import migrate

SERVICE_DIR = Path(__file__).resolve().parents[2]


@pytest_asyncio.fixture(scope="session")
async def host_settings(database_factory, amqp_url, oidc) -> ServiceSettings:
    url = await database_factory("host")
    migrate(SERVICE_DIR, url)
    return ServiceSettings(
        service="host", database_url=url, amqp_url=amqp_url, oidc=oidc.settings, db_pool_size=5
    )


@pytest_asyncio.fixture(scope="session")
async def client(host_settings):
    async with AsyncTestClient(app=create_app(host_settings)) as client:
        yield client


@pytest_asyncio.fixture(scope="session")
async def ticket_client(database_factory, amqp_url, oidc):
    """The ticket service beside the host service, on the same broker."""
    from kohub_ticket.app import create_app as create_ticket_app

    url = await database_factory("ticket")
    migrate(SERVICE_DIR.parent / "ticket", url)
    settings = ServiceSettings(
        service="ticket", database_url=url, amqp_url=amqp_url, oidc=oidc.settings, db_pool_size=5
    )
    async with AsyncTestClient(app=create_ticket_app(settings)) as client:
        yield client
