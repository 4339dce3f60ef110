"""The read side of the host service."""

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from kohub_contracts.common import Page
from kohub_contracts.enums import ConnectionType, HostStatus
from kohub_contracts.hosts import (
    AdapterResponse,
    CurrentStatus,
    HostListItem,
    HostResponse,
    HostSort,
    HostStats,
    OrganizationResponse,
)
from kohub_platform.auth import Principal


@dataclass(frozen=True, slots=True)
class HostFilter:
    organization_id: UUID | None = None
    statuses: tuple[HostStatus, ...] = ()
    tags: tuple[str, ...] = ()
    connection_types: tuple[ConnectionType, ...] = ()
    text: str | None = None
    sort: HostSort = HostSort.NAME_ASC
    cursor: str | None = None
    limit: int = 50


class HostQueries(Protocol):
    async def search(self, caller: Principal, flt: HostFilter) -> Page[HostListItem]: ...

    async def detail(self, caller: Principal, host_id: UUID) -> HostResponse: ...

    async def stats(self, caller: Principal) -> HostStats: ...

    async def adapters(self, caller: Principal, host_id: UUID) -> list[AdapterResponse]: ...

    async def status(self, caller: Principal, host_id: UUID) -> CurrentStatus: ...

    async def organizations(self, caller: Principal) -> list[OrganizationResponse]: ...

    async def organization(self, caller: Principal, org_id: UUID) -> OrganizationResponse: ...
