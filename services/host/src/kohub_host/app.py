"""create_app(): the host service's Litestar app with its broker, consumer, outbox relay and
the maintenance-window job in the lifespan. `main()` runs it under uvicorn."""

from importlib.metadata import version
from typing import Any

from litestar import Litestar

from kohub_host.adapters.http.controllers import HostController, OrganizationController
from kohub_host.adapters.http.problems import HOST_EXCEPTION_HANDLERS
from kohub_host.adapters.http.terminal import HostTerminalController
from kohub_host.adapters.messaging.mapping import EVENT_DOCS
from kohub_host.adapters.messaging.subscribers import register_subscribers
from kohub_host.application import handlers
from kohub_host.bootstrap import HostService, bootstrap
from kohub_host.settings import load_settings
from kohub_platform.asyncapi import asyncapi_document, asyncapi_handler
from kohub_platform.logs import configure_logging
from kohub_platform.runtime import PeriodicJob, Runtime
from kohub_platform.settings import ServiceSettings
from kohub_platform.web import closing, create_service_app, serve

MAINTENANCE_CHECK_SECONDS = 15.0


def create_app(
    settings: ServiceSettings | None = None, service: HostService | None = None
) -> Litestar:
    if settings is None:  # built by uvicorn in a worker process: configure it here
        settings = load_settings()
        configure_logging("host", settings.log_level)
    service = service or bootstrap(settings)
    jobs = []
    if "worker" in settings.roles and service.broker is not None:
        register_subscribers(service.broker, service)
        jobs.append(
            PeriodicJob(
                "end-maintenance",
                MAINTENANCE_CHECK_SECONDS,
                lambda: handlers.end_due_maintenance(service.uow, service.clock),
            )
        )
    runtime = Runtime(engine=service.engine, broker=service.broker, relay=service.relay, jobs=jobs)

    return create_service_app(
        service="host",
        version=version("kohub-host"),
        description="Organizations, hosts, host adapters and the status monitoring observed.",
        route_handlers=[
            HostController,
            HostTerminalController,
            OrganizationController,
            asyncapi_handler(events_document()),
        ],
        token_verifier=service.token_verifier,
        ready_checks=runtime.ready_checks(),
        lifespan=[runtime.lifespan, closing(service.http)],
        state={"host_service": service},
        exception_handlers=HOST_EXCEPTION_HANDLERS,
    )


def events_document() -> dict[str, Any]:
    return asyncapi_document(
        title="kohub host service events",
        version=version("kohub-host"),
        description="Host and organization events on kohub.events, each with the full current "
        "state, and the host.status.observed messages the service consumes.",
        events=EVENT_DOCS,
    )


def main() -> None:
    serve("host", "kohub_host.app:create_app", load_settings())
