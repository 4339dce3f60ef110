"""create_app(): the adapter gateway's Litestar app with its broker, consumers and outbox
relay in the lifespan. `main()` runs it under uvicorn."""

from importlib.metadata import version
from typing import Any

from litestar import Litestar
from litestar.openapi.spec import SecurityScheme

from kohub_adapter.adapters.http.controllers import (
    AdapterEventController,
    AlertController,
    ToolController,
    WebhookSourceController,
)
from kohub_adapter.adapters.http.problems import ADAPTER_EXCEPTION_HANDLERS
from kohub_adapter.adapters.http.terminal import TerminalController, TerminalCredentialController
from kohub_adapter.adapters.http.webhooks import WebhookController
from kohub_adapter.adapters.messaging.mapping import EVENT_DOCS
from kohub_adapter.adapters.messaging.subscribers import register_subscribers
from kohub_adapter.adapters.postgres.retention import prune_received
from kohub_adapter.bootstrap import AdapterService, bootstrap
from kohub_adapter.settings import load_settings
from kohub_platform.asyncapi import asyncapi_document, asyncapi_handler
from kohub_platform.logs import configure_logging
from kohub_platform.runtime import PeriodicJob, Runtime
from kohub_platform.settings import ServiceSettings
from kohub_platform.web import closing, create_service_app, serve

WEBHOOK_PATH = "/api/v1/webhooks"


def create_app(
    settings: ServiceSettings | None = None, service: AdapterService | None = None
) -> Litestar:
    if settings is None:  # built by uvicorn in a worker process: configure it here
        settings = load_settings()
        configure_logging("adapter", settings.log_level)
    service = service or bootstrap(settings)
    jobs = []
    if "worker" in settings.roles and service.broker is not None:
        register_subscribers(service.broker, service)
    if "worker" in settings.roles and service.engine is not None:
        engine, days = service.engine, service.gateway.retention_days
        jobs.append(PeriodicJob("prune-received", 3600.0, lambda: prune_received(engine, days)))
    runtime = Runtime(engine=service.engine, broker=service.broker, relay=service.relay, jobs=jobs)

    app = create_service_app(
        service="adapter-gateway",
        version=version("kohub-adapter"),
        description="Monitoring webhooks in (Uptime Kuma, Prometheus Alertmanager, Grafana), "
        "normalized alerts out; webhook sources; the tool adapter registry; Termix terminals "
        "and the calling operator's recorded sessions, with each operator's own Termix API key.",
        route_handlers=[
            WebhookController,
            WebhookSourceController,
            AdapterEventController,
            AlertController,
            ToolController,
            TerminalCredentialController,
            TerminalController,
            asyncapi_handler(events_document()),
        ],
        token_verifier=service.token_verifier,
        ready_checks=runtime.ready_checks(),
        lifespan=[runtime.lifespan, closing(service.http)],
        state={"adapter_service": service},
        exception_handlers=ADAPTER_EXCEPTION_HANDLERS,
        max_body_bytes=service.gateway.max_body_bytes,
        public_paths=(WEBHOOK_PATH,),
        security_schemes={
            "webhookToken": SecurityScheme(
                type="http",
                scheme="bearer",
                description="The webhook source's token (Basic with the token as password "
                "works for Alertmanager and Grafana; Grafana may sign with HMAC instead).",
            )
        },
    )
    return app


def events_document() -> dict[str, Any]:
    return asyncapi_document(
        title="kohub adapter gateway events",
        version=version("kohub-adapter"),
        description="Normalized monitoring alerts and host status observations the adapter "
        "gateway publishes on kohub.events, and what it consumes.",
        events=EVENT_DOCS,
    )


def main() -> None:
    serve("adapter", "kohub_adapter.app:create_app", load_settings())
