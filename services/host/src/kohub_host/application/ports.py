"""Ports of the host handlers."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID

from kohub_host.domain.model import Host


@dataclass(slots=True)
class Organization:
    id: UUID
    name: str | None
    created_at: datetime
    updated_at: datetime
    changed: bool = field(default=False, compare=False)


class HostRepository(Protocol):
    async def add(self, host: Host) -> None: ...

    async def get(self, host_id: UUID) -> Host | None:
        """Locked for update until the unit of work ends."""

    async def save(self, host: Host) -> None: ...

    async def save_observation(self, host: Host) -> None:
        """Store only the observed status."""

    async def name_taken(self, org_id: UUID, name: str, other_than: UUID | None) -> bool: ...

    async def adapter_owner(self, mapping_key: str) -> UUID | None:
        """The host that already maps this monitor, if any."""

    async def due_for_activation(self, at: datetime, limit: int) -> list[UUID]: ...


class OrganizationRepository(Protocol):
    async def get(self, org_id: UUID) -> Organization | None: ...

    async def put(self, org: Organization) -> None:
        """Insert or update; the unit of work publishes organization.upserted."""


class UnitOfWork(Protocol):
    hosts: HostRepository
    organizations: OrganizationRepository

    async def __aenter__(self) -> "UnitOfWork": ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def first_delivery(self, consumer: str, message_id: str) -> bool: ...

    async def commit(self) -> None: ...


class Clock(Protocol):
    def __call__(self) -> datetime: ...
