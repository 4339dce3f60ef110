"""Host and organization APIs: decode, authorize, call a handler, encode."""

from typing import Annotated, Any, ClassVar
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import State
from litestar.params import Parameter
from msgspec import UNSET

from kohub_contracts.common import Page
from kohub_contracts.enums import ConnectionType, HostStatus, Role
from kohub_contracts.hosts import (
    AdapterCreateRequest,
    AdapterResponse,
    AdapterUpdateRequest,
    CurrentStatus,
    HostCreateRequest,
    HostListItem,
    HostResponse,
    HostSort,
    HostStats,
    HostStatusRequest,
    HostUpdateRequest,
    OrganizationCreateRequest,
    OrganizationResponse,
    OrganizationUpdateRequest,
)
from kohub_host.application import handlers
from kohub_host.application.commands import (
    AddAdapter,
    ChangeHostStatus,
    EditHost,
    RegisterHost,
    RemoveAdapter,
    SaveOrganization,
    UpdateAdapter,
)
from kohub_host.application.errors import InvalidRequest, NotFound
from kohub_host.application.queries import HostFilter
from kohub_host.bootstrap import HostService
from kohub_platform.auth import Principal, require_roles
from kohub_platform.errors import etag, expected_version

ADMIN = require_roles(Role.MSP_ADMIN)
OPERATORS = require_roles(Role.MSP_OPERATOR)
HOST_READERS = require_roles(Role.MSP_OPERATOR, Role.CUSTOMER_ADMIN)
ORG_READERS = require_roles(Role.MSP_OPERATOR, Role.CUSTOMER_ADMIN, Role.CUSTOMER)
IfMatch = Annotated[str | None, Parameter(header="If-Match", required=False)]
Req = Request[Principal, Any, State]


async def _service(request: Req) -> HostService:
    service: HostService = request.app.state.host_service
    await service.know_caller(request.user)
    return service


async def _host(
    request: Req, service: HostService, host_id: UUID, status_code: int = 200
) -> Response[HostResponse]:
    detail = await service.queries.detail(request.user, host_id)
    headers = {"ETag": etag(detail.version)}
    if status_code == 201:
        headers["Location"] = f"/api/v1/hosts/{detail.id}"
    return Response(detail, status_code=status_code, headers=headers)


def _given(value: Any) -> bool:
    return value is not UNSET


class HostController(Controller):
    path = "/api/v1/hosts"
    tags: ClassVar[list[str]] = ["hosts"]

    @get("", guards=[HOST_READERS], summary="List hosts")
    async def list_hosts(
        self,
        request: Req,
        organization_id: Annotated[UUID | None, Parameter(query="organizationId")] = None,
        status: Annotated[list[HostStatus] | None, Parameter(query="status")] = None,
        tag: Annotated[list[str] | None, Parameter(query="tag")] = None,
        connection_type: Annotated[
            list[ConnectionType] | None, Parameter(query="connectionType")
        ] = None,
        q: Annotated[str | None, Parameter(query="q", max_length=200)] = None,
        sort: Annotated[HostSort, Parameter(query="sort")] = HostSort.NAME_ASC,
        cursor: Annotated[str | None, Parameter(query="cursor", max_length=500)] = None,
        limit: Annotated[int, Parameter(query="limit", ge=1, le=200)] = 50,
    ) -> Page[HostListItem]:
        """Every given tag must be on the host. customer-admin sees its organization's."""
        service = await _service(request)
        flt = HostFilter(
            organization_id=organization_id,
            statuses=tuple(status or ()),
            tags=tuple(t.strip().lower() for t in tag or () if t.strip()),
            connection_types=tuple(connection_type or ()),
            text=q.strip() if q and q.strip() else None,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
        return await service.queries.search(request.user, flt)

    @get("/stats", guards=[HOST_READERS], summary="The dashboard's host figures")
    async def host_stats(self, request: Req) -> HostStats:
        return await (await _service(request)).queries.stats(request.user)

    @post("", guards=[ADMIN], summary="Register a host")
    async def create_host(self, request: Req, data: HostCreateRequest) -> Response[HostResponse]:
        service = await _service(request)
        host = await handlers.register_host(
            RegisterHost(
                data.organization_id,
                data.name,
                data.description,
                data.connection_type,
                data.ssh_config,
                data.tags,
            ),
            service.uow(),
            service.clock,
        )
        return await _host(request, service, host.id, status_code=201)

    @get("/{host_id:uuid}", guards=[HOST_READERS], summary="A host with adapters and status")
    async def get_host(self, request: Req, host_id: UUID) -> Response[HostResponse]:
        return await _host(request, await _service(request), host_id)

    @put("/{host_id:uuid}", guards=[ADMIN], summary="Edit a host")
    async def update_host(
        self, request: Req, host_id: UUID, data: HostUpdateRequest, if_match: IfMatch = None
    ) -> Response[HostResponse]:
        service = await _service(request)
        changes = {
            name: getattr(data, name)
            for name in ("name", "description", "connection_type", "ssh_config", "tags")
            if _given(getattr(data, name))
        }
        await handlers.edit_host(
            EditHost(host_id, expected_version(if_match), changes), service.uow(), service.clock
        )
        return await _host(request, service, host_id)

    @delete("/{host_id:uuid}", guards=[ADMIN], status_code=200, summary="Deactivate a host")
    async def deactivate_host(
        self, request: Req, host_id: UUID, if_match: IfMatch = None
    ) -> Response[HostResponse]:
        """Hosts are never removed: DELETE sets INACTIVE."""
        service = await _service(request)
        await handlers.change_host_status(
            ChangeHostStatus(host_id, HostStatus.INACTIVE, None, expected_version(if_match)),
            service.uow(),
            service.clock,
        )
        return await _host(request, service, host_id)

    @put("/{host_id:uuid}/lifecycle", guards=[ADMIN], summary="ACTIVE, INACTIVE or MAINTENANCE")
    async def set_lifecycle(
        self, request: Req, host_id: UUID, data: HostStatusRequest, if_match: IfMatch = None
    ) -> Response[HostResponse]:
        """MAINTENANCE may carry `maintenanceUntil`, after which the host is ACTIVE again."""
        service = await _service(request)
        await handlers.change_host_status(
            ChangeHostStatus(
                host_id, data.status, data.maintenance_until, expected_version(if_match)
            ),
            service.uow(),
            service.clock,
        )
        return await _host(request, service, host_id)

    @get("/{host_id:uuid}/status", guards=[OPERATORS], summary="Status, asked of its tools")
    async def get_status(self, request: Req, host_id: UUID) -> CurrentStatus:
        """Asks the host's tools through the adapter gateway (e.g. Prometheus `up{…}`);
        when they cannot answer in time, the last status monitoring reported."""
        service = await _service(request)
        observed = await service.queries.status(request.user, host_id)
        live = None
        if service.live_status is not None:
            live = await service.live_status(host_id, request.headers.get("authorization"))
        return live or observed

    @get("/{host_id:uuid}/adapters", guards=[OPERATORS], summary="The host's adapters")
    async def list_adapters(self, request: Req, host_id: UUID) -> list[AdapterResponse]:
        service = await _service(request)
        return await service.queries.adapters(request.user, host_id)

    @post("/{host_id:uuid}/adapters", guards=[ADMIN], summary="Attach an adapter")
    async def add_adapter(
        self, request: Req, host_id: UUID, data: AdapterCreateRequest
    ) -> Response[AdapterResponse]:
        service = await _service(request)
        adapter = await handlers.add_adapter(
            AddAdapter(host_id, data.type, data.config, data.status), service.uow(), service.clock
        )
        return Response(await self._adapter(request, service, host_id, adapter.id), status_code=201)

    @put("/{host_id:uuid}/adapters/{adapter_id:uuid}", guards=[ADMIN], summary="Edit an adapter")
    async def update_adapter(
        self, request: Req, host_id: UUID, adapter_id: UUID, data: AdapterUpdateRequest
    ) -> AdapterResponse:
        service = await _service(request)
        await handlers.update_adapter(
            UpdateAdapter(
                host_id,
                adapter_id,
                data.config if _given(data.config) else None,
                data.status if _given(data.status) else None,
            ),
            service.uow(),
            service.clock,
        )
        return await self._adapter(request, service, host_id, adapter_id)

    @delete("/{host_id:uuid}/adapters/{adapter_id:uuid}", guards=[ADMIN], summary="Detach")
    async def remove_adapter(self, request: Req, host_id: UUID, adapter_id: UUID) -> None:
        service = await _service(request)
        await handlers.remove_adapter(
            RemoveAdapter(host_id, adapter_id), service.uow(), service.clock
        )

    @staticmethod
    async def _adapter(
        request: Req, service: HostService, host_id: UUID, adapter_id: UUID
    ) -> AdapterResponse:
        adapters = await service.queries.adapters(request.user, host_id)
        return next(a for a in adapters if a.id == adapter_id)


class OrganizationController(Controller):
    path = "/api/v1/organizations"
    tags: ClassVar[list[str]] = ["organizations"]

    @get("", guards=[ORG_READERS], summary="Organizations (a customer sees its own)")
    async def list_organizations(self, request: Req) -> list[OrganizationResponse]:
        service = await _service(request)
        return await service.queries.organizations(request.user)

    @get("/{org_id:uuid}", guards=[ORG_READERS], summary="An organization")
    async def get_organization(self, request: Req, org_id: UUID) -> OrganizationResponse:
        service = await _service(request)
        return await service.queries.organization(request.user, org_id)

    @post("", guards=[ADMIN], summary="Create an organization")
    async def create_organization(
        self, request: Req, data: OrganizationCreateRequest
    ) -> Response[OrganizationResponse]:
        service = await _service(request)
        if data.id is not None and await self._exists(service, request, data.id):
            raise InvalidRequest("id", "An organization with this id exists; use PUT.")
        org = await handlers.save_organization(
            SaveOrganization(data.name, data.id), service.uow(), service.clock
        )
        return Response(
            await service.queries.organization(request.user, org.id),
            status_code=201,
            headers={"Location": f"/api/v1/organizations/{org.id}"},
        )

    @put("/{org_id:uuid}", guards=[ADMIN], summary="Rename an organization")
    async def update_organization(
        self, request: Req, org_id: UUID, data: OrganizationUpdateRequest
    ) -> OrganizationResponse:
        service = await _service(request)
        await service.queries.organization(request.user, org_id)  # 404 when unknown
        await handlers.save_organization(
            SaveOrganization(data.name, org_id), service.uow(), service.clock
        )
        return await service.queries.organization(request.user, org_id)

    @staticmethod
    async def _exists(service: HostService, request: Req, org_id: UUID) -> bool:
        try:
            await service.queries.organization(request.user, org_id)
        except NotFound:
            return False
        return True
