"""Webhook sources and AdapterEvents (msp-admin), recent alerts (operators; customers for
their organization), the adapter registry, and the internal host status query."""

from datetime import datetime
from typing import Annotated, ClassVar
from uuid import UUID

from litestar import Controller, Response, get, patch, post
from litestar.params import Parameter

from kohub_adapter.adapters.http.support import Req, adapter_service
from kohub_adapter.adapters.postgres.queries import AlertFilter, source_response
from kohub_adapter.application import handlers
from kohub_adapter.application.handlers import HostNotMapped, SourceNotFound
from kohub_contracts.alerts import (
    AdapterEventItem,
    AdapterEventResponse,
    AlertListItem,
    MappedHostResponse,
    ToolAdapterInfo,
    WebhookSourceCreateRequest,
    WebhookSourceResponse,
    WebhookSourceSecret,
    WebhookSourceUpdateRequest,
)
from kohub_contracts.common import Page
from kohub_contracts.enums import AdapterEventStatus, AlertOutcome, AlertState, Role
from kohub_contracts.hosts import CurrentStatus
from kohub_platform.auth import require_roles
from kohub_platform.errors import NotFound, etag, expected_version

ADMIN = require_roles(Role.MSP_ADMIN)
OPERATORS = require_roles(Role.MSP_OPERATOR)
ALERT_READERS = require_roles(Role.MSP_OPERATOR, Role.CUSTOMER_ADMIN, Role.CUSTOMER)
IfMatch = Annotated[str | None, Parameter(header="If-Match", required=False)]
Limit = Annotated[int, Parameter(query="limit", ge=1, le=200)]
Cursor = Annotated[str | None, Parameter(query="cursor", max_length=500)]


async def _source(request: Req, source_id: UUID, status_code: int = 200) -> Response[object]:
    found = await adapter_service(request).queries.sources(source_id)
    if not found:
        raise SourceNotFound("No such webhook source.")
    return Response(found[0], status_code=status_code, headers={"ETag": etag(found[0].version)})


class WebhookSourceController(Controller):
    path = "/api/v1/webhook-sources"
    tags: ClassVar[list[str]] = ["webhook sources"]
    guards: ClassVar[list[object]] = [ADMIN]  # type: ignore[misc]

    @get("", summary="List webhook sources")
    async def list_sources(self, request: Req) -> list[WebhookSourceResponse]:
        return await adapter_service(request).queries.sources()

    @post("", summary="Register a webhook source; its token is shown once")
    async def create_source(
        self, request: Req, data: WebhookSourceCreateRequest
    ) -> Response[WebhookSourceSecret]:
        service = adapter_service(request)
        source, token = await handlers.create_source(data, service.uow(), service.clock)
        service.sources.forget()
        body = WebhookSourceSecret(source=source_response(source, None), token=token)
        return Response(
            body,
            status_code=201,
            headers={"Location": f"{self.path}/{source.id}", "ETag": etag(source.version)},
        )

    @get("/{source_id:uuid}", summary="One webhook source")
    async def get_source(self, request: Req, source_id: UUID) -> Response[object]:
        return await _source(request, source_id)

    @patch("/{source_id:uuid}", summary="Rename, enable/disable, change defaults")
    async def update_source(
        self,
        request: Req,
        source_id: UUID,
        data: WebhookSourceUpdateRequest,
        if_match: IfMatch = None,
    ) -> Response[object]:
        service = adapter_service(request)
        await handlers.update_source(
            source_id, data, expected_version(if_match), service.uow(), service.clock
        )
        service.sources.forget()
        return await _source(request, source_id)

    @post("/{source_id:uuid}/rotate-token", summary="Issue a new token; the old one stops")
    async def rotate_token(
        self, request: Req, source_id: UUID, if_match: IfMatch = None
    ) -> Response[WebhookSourceSecret]:
        service = adapter_service(request)
        source, token = await handlers.rotate_token(
            source_id, expected_version(if_match), service.uow(), service.clock
        )
        service.sources.forget()
        found = await service.queries.sources(source.id)
        return Response(
            WebhookSourceSecret(source=found[0], token=token),
            status_code=200,
            headers={"ETag": etag(source.version)},
        )


class AdapterEventController(Controller):
    path = "/api/v1/adapter-events"
    tags: ClassVar[list[str]] = ["webhook sources"]
    guards: ClassVar[list[object]] = [ADMIN]  # type: ignore[misc]

    @get("", summary="Received webhook requests, newest first")
    async def list_events(
        self,
        request: Req,
        status: Annotated[AdapterEventStatus | None, Parameter(query="status")] = None,
        source_id: Annotated[UUID | None, Parameter(query="sourceId")] = None,
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> Page[AdapterEventItem]:
        return await adapter_service(request).queries.adapter_events(
            status, source_id, limit, cursor
        )

    @get("/{event_id:uuid}", summary="One received request with its raw body")
    async def get_event(self, request: Req, event_id: UUID) -> AdapterEventResponse:
        found = await adapter_service(request).queries.adapter_event(event_id)
        if found is None:
            raise NotFound("No such adapter event.")
        return found


class AlertController(Controller):
    path = "/api/v1/alerts"
    tags: ClassVar[list[str]] = ["alerts"]

    @get("", guards=[ALERT_READERS], summary="Recent normalized alerts with their outcome")
    async def list_alerts(
        self,
        request: Req,
        organization_id: Annotated[UUID | None, Parameter(query="organizationId")] = None,
        host_id: Annotated[UUID | None, Parameter(query="hostId")] = None,
        alert_state: Annotated[AlertState | None, Parameter(query="state")] = None,
        outcome: Annotated[AlertOutcome | None, Parameter(query="outcome")] = None,
        pending: Annotated[bool | None, Parameter(query="pending")] = None,
        since: Annotated[datetime | None, Parameter(query="since")] = None,
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> Page[AlertListItem]:
        """Customers see their organization's alerts only."""
        caller = request.user
        scope = None
        if not caller.is_operator:
            scope = caller.org_uuid()
            if scope is None:
                return Page(items=[], total=0, next_cursor=None, limit=limit)
        flt = AlertFilter(organization_id, host_id, alert_state, outcome, pending, since)
        return await adapter_service(request).queries.alerts(flt, scope, limit, cursor)


class ToolController(Controller):
    tags: ClassVar[list[str]] = ["adapters"]

    @get("/api/v1/adapters", guards=[OPERATORS], summary="The tool adapters and their health")
    async def list_adapters(self, request: Req) -> list[ToolAdapterInfo]:
        infos = []
        for adapter in adapter_service(request).registry:
            health = await adapter.health()
            infos.append(
                ToolAdapterInfo(
                    adapter_type=adapter.adapter_type,
                    name=adapter.name,
                    kind=adapter.kind.value,
                    capabilities=sorted(c.value for c in adapter.capabilities),
                    healthy=health.healthy,
                    detail=health.detail,
                    checked_at=health.checked_at,
                )
            )
        return infos

    @get(
        "/api/internal/hosts/{host_id:uuid}",
        guards=[OPERATORS],
        summary="A host as the alert mapping sees it",
    )
    async def mapped_host(self, request: Req, host_id: UUID) -> MappedHostResponse:
        """What alerts are matched against (from host.* events): to tell why an alert did or
        did not map to this host."""
        host = (await adapter_service(request).host_map.current()).get(host_id)
        if host is None:
            raise HostNotMapped("The adapter gateway knows no such host.")
        return MappedHostResponse(
            host_id=host.host_id,
            name=host.name,
            organization_id=host.org_id,
            status=host.status.value,
            adapters=[
                {
                    "adapterId": str(a.adapter_id),
                    "type": a.type.value,
                    "status": a.status.value,
                    "config": a.config,
                }
                for a in host.adapters
            ],
            organization_name=host.org_name,
        )

    @get(
        "/api/internal/hosts/{host_id:uuid}/status",
        guards=[OPERATORS],
        summary="Ask the host's tools how it is now (STATUS_QUERY)",
    )
    async def host_status(self, request: Req, host_id: UUID) -> CurrentStatus:
        """Used by the host service's `GET /hosts/{id}/status`; 409 when no adapter of the
        host can answer, 502 when the tool does not."""
        service = adapter_service(request)
        answer = await handlers.query_host_status(
            host_id,
            hosts=service.host_map,
            registry=service.registry,
            timeout=service.gateway.status_timeout_seconds,
        )
        status = answer.status
        return CurrentStatus(
            status=status.status,
            checked_at=status.checked_at,
            adapter=status.adapter,
            message=status.message,
        )
