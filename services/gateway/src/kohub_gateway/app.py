"""create_app(): the gateway's Litestar app. `main()` runs it under uvicorn."""

from importlib.metadata import version

from litestar import Litestar

from kohub_gateway.adapters.http.dashboard import DashboardController
from kohub_gateway.adapters.http.login import LOGIN_HANDLERS
from kohub_gateway.adapters.http.proxy import MAX_BODY_BYTES, proxy
from kohub_gateway.adapters.http.sessions import CsrfRefused
from kohub_gateway.bootstrap import GatewayService, bootstrap
from kohub_gateway.console import console_routes
from kohub_gateway.settings import load_settings
from kohub_platform.errors import problem_handler
from kohub_platform.logs import configure_logging
from kohub_platform.runtime import PeriodicJob, Runtime
from kohub_platform.settings import ServiceSettings
from kohub_platform.web import closing, create_service_app, serve

WEBHOOK_PATH = "/api/v1/webhooks"
# The console's pages authenticate by session cookie, not Bearer (prefixes of the paths).
CONSOLE_PATHS = (
    "/$", "/tickets", "/hosts", "/settings", "/login", "/auth/", "/logout", "/lang/",
    "/static/", "/partials/", "/favicon.ico",
)  # fmt: skip


def create_app(
    settings: ServiceSettings | None = None, service: GatewayService | None = None
) -> Litestar:
    if settings is None:  # built by uvicorn in a worker process: configure it here
        settings = load_settings()
        configure_logging("gateway", settings.log_level)
    service = service or bootstrap(settings)
    sessions = service.sessions
    runtime = Runtime(
        engine=service.engine, jobs=[PeriodicJob("prune-sessions", 3600.0, sessions.prune)]
    )
    return create_service_app(
        service="gateway",
        version=version("kohub-gateway"),
        description="The front door of kohub's API: `/api/v1/*` is routed to the owning "
        "service (tickets → ticket; hosts, organizations → host; webhook-sources, alerts, "
        "adapter-events, adapters, webhooks → adapter gateway) with the caller's token, "
        "request id and trace context; and the dashboard, gathered from the services.",
        route_handlers=[DashboardController, proxy, *LOGIN_HANDLERS, console_routes()],
        token_verifier=service.token_verifier,
        ready_checks=runtime.ready_checks(),
        lifespan=[runtime.lifespan, closing(service.http)],
        state={"gateway_service": service},
        exception_handlers={CsrfRefused: problem_handler(403, "csrf")},
        # webhooks authenticate with their source's token at the adapter gateway
        public_paths=(WEBHOOK_PATH, *CONSOLE_PATHS),
        max_body_bytes=MAX_BODY_BYTES,
    )


def main() -> None:
    serve("gateway", "kohub_gateway.app:create_app", load_settings())
