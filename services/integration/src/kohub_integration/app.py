"""create_app(): the integration service's Litestar app with its broker, consumers and
outbox relay in the lifespan. `main()` runs it under uvicorn."""

from importlib.metadata import version
from typing import Any

from litestar import Litestar

from kohub_integration.adapters.http.controllers import InternalController
from kohub_integration.adapters.messaging.mapping import EVENT_DOCS
from kohub_integration.adapters.messaging.subscribers import (
    register_subscribers,
    ticket_events_consumer,
)
from kohub_integration.bootstrap import IntegrationService, bootstrap
from kohub_integration.settings import load_settings
from kohub_platform.asyncapi import asyncapi_document, asyncapi_handler
from kohub_platform.logs import configure_logging
from kohub_platform.runtime import Runtime
from kohub_platform.settings import ServiceSettings
from kohub_platform.web import create_service_app, serve


def create_app(
    settings: ServiceSettings | None = None, service: IntegrationService | None = None
) -> Litestar:
    if settings is None:  # built by uvicorn in a worker process: configure it here
        settings = load_settings()
        configure_logging("integration", settings.log_level)
    service = service or bootstrap(settings)
    ordered = []
    if "worker" in settings.roles and service.broker is not None:
        register_subscribers(service.broker, service)
        ordered.append(ticket_events_consumer(service))
    runtime = Runtime(
        engine=service.engine,
        broker=service.broker,
        relay=service.relay,
        ordered_consumers=ordered,
    )
    return create_service_app(
        service="integration",
        version=version("kohub-integration"),
        description="The KustHub bridge: incident.* and ticket.escalated out on "
        "kusthub.events, customer.request.created and ticket.completed in; "
        "ticket_sync_events; the internal API for KustHub's service account.",
        route_handlers=[InternalController, asyncapi_handler(events_document())],
        token_verifier=service.token_verifier,
        ready_checks=runtime.ready_checks(),
        lifespan=[runtime.lifespan],
        state={"integration_service": service},
    )


def events_document() -> dict[str, Any]:
    return asyncapi_document(
        title="kohub ↔ KustHub events",
        version=version("kohub-integration"),
        description="The KustHub contract (seed §4.2) on the kusthub.events exchange, both "
        "directions, and the integration service's commands and sync reports on "
        "kohub.events. Envelope: {eventId, eventType, timestamp, source, data}; message_id "
        "= eventId; consumers deduplicate by eventId.",
        events=EVENT_DOCS,
    )


def main() -> None:
    serve("integration", "kohub_integration.app:create_app", load_settings())
