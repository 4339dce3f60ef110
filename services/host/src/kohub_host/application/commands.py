"""Commands of the host handlers."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from kohub_contracts.enums import (
    AdapterType,
    ConnectionType,
    HostAdapterStatus,
    HostStatus,
    ObservedHostStatus,
)


@dataclass(frozen=True, slots=True)
class SaveOrganization:
    name: str | None
    org_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class RegisterHost:
    org_id: UUID
    name: str
    description: str
    connection_type: ConnectionType
    ssh_config: dict[str, Any] | None
    tags: list[str]


@dataclass(frozen=True, slots=True)
class EditHost:
    host_id: UUID
    expected_version: int | None
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChangeHostStatus:
    host_id: UUID
    status: HostStatus
    maintenance_until: datetime | None = None
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class AddAdapter:
    host_id: UUID
    type: AdapterType
    config: dict[str, Any]
    status: HostAdapterStatus


@dataclass(frozen=True, slots=True)
class UpdateAdapter:
    host_id: UUID
    adapter_id: UUID
    config: dict[str, Any] | None = None
    status: HostAdapterStatus | None = None


@dataclass(frozen=True, slots=True)
class RemoveAdapter:
    host_id: UUID
    adapter_id: UUID


@dataclass(frozen=True, slots=True)
class ObserveHostStatus:
    message_id: str
    host_id: UUID
    status: ObservedHostStatus
    observed_at: datetime
    adapter: AdapterType | None = None
    message: str | None = None
