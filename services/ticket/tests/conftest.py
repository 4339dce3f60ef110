import pytest

from kohub_platform.settings import OidcSettings, ServiceSettings
from kohub_ticket.bootstrap import TicketService, bootstrap

from .fakes import (
    FakeAlertSeriesRepository,
    FakeClock,
    FakeHostDirectory,
    FakeTicketRepository,
    FakeUnitOfWork,
    FakeUserDirectory,
)

pytest_plugins = ["kohub_platform.testing"]


def unit_settings() -> ServiceSettings:
    return ServiceSettings(
        service="ticket",
        database_url="postgresql+asyncpg://unused/unused",
        amqp_url="amqp://unused/",
        oidc=OidcSettings(
            issuer="http://idp/realms/kecp-sso", audience="kohub", jwks_url="http://idp/certs"
        ),
    )


class FakeWorld:
    def __init__(self) -> None:
        self.tickets = FakeTicketRepository()
        self.users = FakeUserDirectory()
        self.hosts = FakeHostDirectory()
        self.alerts = FakeAlertSeriesRepository()
        self.published: list = []
        self.clock = FakeClock()
        self.service: TicketService = bootstrap(
            unit_settings(),
            uow=lambda: FakeUnitOfWork(
                self.tickets, self.users, self.hosts, self.published, self.alerts
            ),
            queries=object(),  # type: ignore[arg-type]  # reads are tested against PostgreSQL
            resolve_actor=lambda principal: None,  # type: ignore[arg-type,return-value]
            clock=self.clock,
        )

    @property
    def event_types(self) -> list[str]:
        return [m.event_type for m in self.published]


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()
