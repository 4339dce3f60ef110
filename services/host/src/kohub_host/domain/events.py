"""What happened to a host (the mapping turns these into the contract events)."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from kohub_contracts.enums import HostStatus


@dataclass(frozen=True, slots=True)
class DomainEvent:
    host_id: UUID
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class HostRegistered(DomainEvent):
    pass


@dataclass(frozen=True, slots=True)
class HostEdited(DomainEvent):
    changed_fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HostStatusChanged(DomainEvent):
    previous: HostStatus


@dataclass(frozen=True, slots=True)
class AdapterAdded(DomainEvent):
    adapter_id: UUID


@dataclass(frozen=True, slots=True)
class AdapterUpdated(DomainEvent):
    adapter_id: UUID


@dataclass(frozen=True, slots=True)
class AdapterRemoved(DomainEvent):
    adapter_id: UUID
