"""create_app(): the ticket service's Litestar app, its broker and outbox relay in the
lifespan. `main()` runs it under uvicorn."""

from importlib.metadata import version

from litestar import Litestar

from kohub_platform.asyncapi import asyncapi_document, asyncapi_handler
from kohub_platform.logs import configure_logging
from kohub_platform.runtime import Runtime
from kohub_platform.settings import ServiceSettings
from kohub_platform.web import closing, create_service_app, serve
from kohub_ticket.adapters.http.controllers import TicketController
from kohub_ticket.adapters.http.problems import TICKET_EXCEPTION_HANDLERS
from kohub_ticket.adapters.http.terminal import TicketTerminalController
from kohub_ticket.adapters.http.timeline import TicketTimelineController
from kohub_ticket.adapters.http.workflow import TicketWorkflowController
from kohub_ticket.adapters.messaging.mapping import EVENT_DOCS
from kohub_ticket.adapters.messaging.subscribers import register_subscribers
from kohub_ticket.bootstrap import TicketService, bootstrap
from kohub_ticket.settings import load_settings


def create_app(
    settings: ServiceSettings | None = None, service: TicketService | None = None
) -> Litestar:
    if settings is None:  # built by uvicorn in a worker process: configure it here
        settings = load_settings()
        configure_logging("ticket", settings.log_level)
    service = service or bootstrap(settings)

    if "worker" in settings.roles and service.broker is not None:
        register_subscribers(service.broker, service)
    runtime = Runtime(engine=service.engine, broker=service.broker, relay=service.relay)
    return create_service_app(
        service="ticket",
        version=version("kohub-ticket"),
        description="Tickets, the state machine of seed §2.2, activities, resolutions and "
        "terminal logs (collected from Termix or uploaded as asciicast recordings, commands "
        "read off them with secrets redacted).",
        route_handlers=[
            TicketController,
            TicketWorkflowController,
            TicketTimelineController,
            TicketTerminalController,
            asyncapi_handler(events_document()),
        ],
        token_verifier=service.token_verifier,
        ready_checks=runtime.ready_checks(),
        lifespan=[runtime.lifespan, closing(service.http)],
        state={"ticket_service": service},
        exception_handlers=TICKET_EXCEPTION_HANDLERS,
    )


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
    serve("ticket", "kohub_ticket.app:create_app", load_settings())
