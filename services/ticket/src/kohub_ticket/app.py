"""create_app(): the ticket service's Litestar app, its broker and outbox relay in the
lifespan. `main()` runs it under uvicorn."""

import contextlib
from collections.abc import AsyncIterator
from importlib.metadata import version

import uvicorn
from litestar import Litestar
from sqlalchemy import text

from kohub_platform.asyncapi import asyncapi_document, asyncapi_handler
from kohub_platform.logs import configure_logging
from kohub_platform.messaging import declare_topology
from kohub_platform.settings import ServiceSettings
from kohub_platform.web import create_service_app
from kohub_ticket.adapters.http.controllers import TicketController
from kohub_ticket.adapters.http.problems import TICKET_EXCEPTION_HANDLERS
from kohub_ticket.adapters.messaging.mapping import EVENT_DOCS
from kohub_ticket.bootstrap import TicketService, bootstrap
from kohub_ticket.settings import load_settings


def create_app(
    settings: ServiceSettings | None = None, service: TicketService | None = None
) -> Litestar:
    settings = settings or load_settings()
    service = service or bootstrap(settings)

    @contextlib.asynccontextmanager
    async def messaging(_: Litestar) -> AsyncIterator[None]:
        broker = service.broker
        if broker is not None:
            await broker.start()
            await declare_topology(broker)
        if service.relay is not None:
            service.relay.start()
        try:
            yield
        finally:
            if service.relay is not None:
                await service.relay.stop()
            if broker is not None:
                await broker.stop()
            if service.engine is not None:
                await service.engine.dispose()

    async def database_ready() -> None:
        assert service.engine is not None
        async with service.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def broker_ready() -> None:
        assert service.broker is not None
        if not await service.broker.ping(timeout=2.0):
            raise ConnectionError("broker unreachable")

    checks = {}
    if service.engine is not None:
        checks["database"] = database_ready
    if service.broker is not None:
        checks["broker"] = broker_ready

    app = create_service_app(
        service="ticket",
        version=version("kohub-ticket"),
        description="Tickets, the state machine of seed §2.2, activities, resolutions and "
        "terminal logs.",
        route_handlers=[TicketController, asyncapi_handler(events_document())],
        token_verifier=service.token_verifier,
        ready_checks=checks,
        lifespan=[messaging],
        state={"ticket_service": service},
    )
    for exc_type, handler in TICKET_EXCEPTION_HANDLERS.items():
        app.exception_handlers[exc_type] = handler
    return app


def events_document() -> dict:
    return asyncapi_document(
        title="kohub ticket service events",
        version=version("kohub-ticket"),
        description="Ticket events on the kohub.events topic exchange (routing key = event "
        "type), each in the envelope {eventId, eventType, timestamp, source, data} with the "
        "full ticket snapshot.",
        events=EVENT_DOCS,
    )


def main() -> None:
    settings = load_settings()
    configure_logging("ticket", settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=True,
    )
