"""The Litestar app every service starts from: problem+json errors, request and correlation
ids in logs and headers, Bearer authentication, `/health`, `/ready`, `/metrics`, OpenAPI at
`/schema`."""

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from uuid import uuid4

import structlog
import uvicorn
from litestar import Litestar, MediaType, Response, get
from litestar.datastructures import MutableScopeHeaders, State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from kohub_platform.auth import PUBLIC_PATHS, BearerAuthMiddleware, TokenVerifier
from kohub_platform.errors import EXCEPTION_HANDLERS
from kohub_platform.logs import bind_contextvars, clear_contextvars, configure_logging
from kohub_platform.paths import client_path
from kohub_platform.settings import ServiceSettings

ReadyCheck = Callable[[], Awaitable[Any]]
KEEP_ALIVE_SECONDS = 120
access_log = structlog.get_logger("kohub.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def _incoming_id(headers: MutableScopeHeaders, name: str) -> str | None:
    value = headers.get(name)
    return value if value and _SAFE_ID.match(value) else None


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    """Bind request_id and correlation_id for the logs, echo them, log one access line."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        headers = MutableScopeHeaders(scope)
        request_id = _incoming_id(headers, "x-request-id") or uuid4().hex
        correlation_id = _incoming_id(headers, "x-correlation-id") or request_id
        clear_contextvars()
        bind_contextvars(request_id=request_id, correlation_id=correlation_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                out = MutableScopeHeaders.from_message(message)
                out["X-Request-ID"] = request_id
                out["X-Correlation-ID"] = correlation_id
            await send(message)

        try:
            await app(scope, receive, send_with_ids)
        except Exception as exc:
            # answered after this by Litestar's outermost handler (a refused token: 401)
            status = getattr(exc, "status_code", None) or getattr(exc, "status", 500)
            raise
        finally:
            path = client_path(scope)
            if not path.startswith(("/health", "/metrics")):
                access_log.info(
                    "request",
                    method=scope["method"],
                    path=path,
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            clear_contextvars()

    return middleware


def closing(resource: Any) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A lifespan that closes `resource` (anything with `aclose()`, e.g. an httpx client)
    when the app stops."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if resource is not None:
                await resource.aclose()

    return lifespan


def health_handlers(checks: dict[str, ReadyCheck]) -> list[Any]:
    @get("/health", include_in_schema=True, tags=["operations"], sync_to_thread=False)
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @get("/ready", include_in_schema=True, tags=["operations"])
    async def ready() -> Response[dict[str, Any]]:
        """Readiness: the database and the broker are reachable."""
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout=3.0)
                results[name] = "ok"
            except Exception as exc:
                results[name] = f"unavailable: {type(exc).__name__}"
        healthy = all(v == "ok" for v in results.values())
        return Response(
            {"status": "ready" if healthy else "not ready", "checks": results},
            status_code=200 if healthy else 503,
            media_type=MediaType.JSON,
        )

    return [health, ready]


def create_service_app(
    *,
    service: str,
    version: str,
    route_handlers: Sequence[Any],
    token_verifier: TokenVerifier,
    ready_checks: dict[str, ReadyCheck],
    lifespan: Sequence[Callable[[Litestar], AbstractAsyncContextManager[None]]] = (),
    state: dict[str, Any] | None = None,
    exception_handlers: dict[Any, Any] | None = None,
    description: str = "",
    max_body_bytes: int = 6_000_000,
    public_paths: Sequence[str] = (),
    security_schemes: dict[str, SecurityScheme] | None = None,
    debug: bool = False,
) -> Litestar:
    """`public_paths` are prefixes outside Bearer-JWT authentication (they authenticate
    their callers themselves, like webhooks); `security_schemes` documents how."""
    prometheus = PrometheusConfig(
        app_name=f"kohub_{service}",
        prefix="kohub_http",
        group_path=True,
        exclude=["/metrics", "/health"],
    )
    auth = DefineMiddleware(
        BearerAuthMiddleware, exclude=[f"^{p}" for p in (*PUBLIC_PATHS, *public_paths)]
    )
    return Litestar(
        route_handlers=[*route_handlers, *health_handlers(ready_checks), PrometheusController],
        middleware=[request_context_middleware, prometheus.middleware, auth],
        exception_handlers={**EXCEPTION_HANDLERS, **(exception_handlers or {})},
        lifespan=list(lifespan),
        state=State({"token_verifier": token_verifier, **(state or {})}),
        openapi_config=OpenAPIConfig(
            title=f"kohub {service} API",
            version=version,
            description=description,
            path="/schema",
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
                    **(security_schemes or {}),
                }
            ),
            security=[{"bearer": []}],
        ),
        request_max_body_size=max_body_bytes,
        logging_config=None,
        debug=debug,
    )


def serve(service: str, app_factory: str, settings: ServiceSettings) -> None:
    """Run a service under uvicorn (uvloop and httptools when installed) with kohub's JSON
    logs; `KOHUB_WEB_CONCURRENCY` worker processes share the port. `app_factory` is the
    import path of a function that builds the app from the environment."""
    configure_logging(service, settings.log_level)
    uvicorn.run(
        app_factory,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.web_concurrency,
        log_config=None,
        proxy_headers=True,
        access_log=False,
        # Longer than the idle timeout of the clients' pools (Go's, Alertmanager's: 90 s),
        # so a client never sends a request on a connection the server is just closing.
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
