"""Host and organization DTOs of seed §3.2 (HostCreateRequest, HostResponse, …)."""

from datetime import datetime
from enum import Enum
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from kohub_contracts.common import Camel
from kohub_contracts.enums import (
    AdapterType,
    ConnectionType,
    HostAdapterStatus,
    HostStatus,
    ObservedHostStatus,
)

HostName = Annotated[str, Meta(min_length=1, max_length=200)]
Description = Annotated[str, Meta(max_length=2_000)]
Tag = Annotated[str, Meta(min_length=1, max_length=64)]
Tags = Annotated[list[Tag], Meta(max_length=32)]
OrgName = Annotated[str, Meta(min_length=1, max_length=200)]


class SshConfig(Camel):
    """How to reach the host over SSH. Credentials are never stored by kohub."""

    host: Annotated[str, Meta(min_length=1, max_length=255)]
    port: Annotated[int, Meta(ge=1, le=65535)] = 22
    username: Annotated[str, Meta(min_length=1, max_length=64)] = "root"


class HostStats(Camel):
    """The dashboard's host figures (a customer-admin gets its organization's)."""

    total: int
    by_status: dict[str, int]
    """ACTIVE, INACTIVE, MAINTENANCE, zeros included."""
    by_current_status: dict[str, int]
    """What monitoring last observed (UP, DOWN, PENDING, MAINTENANCE, UNKNOWN) of the hosts
    that are not INACTIVE."""


class HostCreateRequest(Camel, forbid_unknown_fields=True):
    name: HostName
    connection_type: ConnectionType
    organization_id: UUID
    description: Description = ""
    ssh_config: dict[str, Any] | None = None
    """Validated by the host service: host, port 1–65535, username; no secrets."""
    tags: Tags = msgspec.field(default_factory=list)


class HostUpdateRequest(Camel, forbid_unknown_fields=True):
    name: HostName | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    connection_type: ConnectionType | UnsetType = UNSET
    ssh_config: dict[str, Any] | UnsetType | None = UNSET
    tags: Tags | UnsetType = UNSET


class HostStatusRequest(Camel, forbid_unknown_fields=True):
    """Put a host in MAINTENANCE (optionally until a time), or back to ACTIVE/INACTIVE."""

    status: HostStatus
    maintenance_until: datetime | None = None
    reason: Annotated[str, Meta(max_length=2_000)] | None = None


class AdapterCreateRequest(Camel, forbid_unknown_fields=True):
    type: AdapterType
    config: dict[str, Any]
    status: HostAdapterStatus = HostAdapterStatus.ACTIVE


class AdapterUpdateRequest(Camel, forbid_unknown_fields=True):
    config: dict[str, Any] | UnsetType = UNSET
    status: HostAdapterStatus | UnsetType = UNSET


class AdapterResponse(Camel):
    id: UUID
    type: AdapterType
    status: HostAdapterStatus
    config: dict[str, Any]
    last_sync_at: datetime | None = None


class CurrentStatus(Camel):
    status: ObservedHostStatus
    checked_at: datetime | None = None
    adapter: AdapterType | None = None
    message: str | None = None


class HostResponse(Camel):
    id: UUID
    name: str
    description: str
    connection_type: ConnectionType
    ssh_config: SshConfig | None
    tags: list[str]
    status: HostStatus
    organization_id: UUID
    organization_name: str | None
    adapters: list[AdapterResponse]
    current_status: CurrentStatus
    created_at: datetime
    updated_at: datetime
    maintenance_until: datetime | None = None
    version: int = 1


class HostListItem(Camel):
    id: UUID
    name: str
    connection_type: ConnectionType
    tags: list[str]
    status: HostStatus
    organization_id: UUID
    organization_name: str | None
    current_status: CurrentStatus
    adapter_types: list[AdapterType]
    updated_at: datetime


class HostSort(str, Enum):
    NAME_ASC = "name"
    NAME_DESC = "-name"
    UPDATED_DESC = "-updatedAt"
    UPDATED_ASC = "updatedAt"


class OrganizationCreateRequest(Camel, forbid_unknown_fields=True):
    name: OrgName
    id: UUID | None = None
    """Keycloak's organization id, when the organization already exists there."""


class OrganizationUpdateRequest(Camel, forbid_unknown_fields=True):
    name: OrgName


class OrganizationResponse(Camel):
    id: UUID
    name: str | None
    created_at: datetime
    updated_at: datetime
    host_count: int = 0
