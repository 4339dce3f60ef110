"""Hosts, their adapters and organizations: the rules of the inventory.

kohub stores no credentials: an SSH configuration says where and as whom to connect,
never with what secret.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from kohub_contracts.enums import (
    AdapterType,
    ConnectionType,
    HostAdapterStatus,
    HostStatus,
    ObservedHostStatus,
)
from kohub_host.domain.errors import InvalidHost
from kohub_host.domain.events import (
    AdapterAdded,
    AdapterRemoved,
    AdapterUpdated,
    DomainEvent,
    HostEdited,
    HostRegistered,
    HostStatusChanged,
)
from kohub_host.domain.rules import (
    mapping_key,
    normalize_tags,
    validate_adapter_config,
    validate_ssh_config,
)


@dataclass(slots=True)
class HostAdapter:
    id: UUID
    type: AdapterType
    config: dict[str, Any]
    status: HostAdapterStatus
    last_sync_at: datetime | None = None

    @property
    def mapping_key(self) -> str | None:
        return mapping_key(self.type, self.config)


@dataclass(slots=True)
class ObservedStatus:
    status: ObservedHostStatus
    checked_at: datetime | None
    adapter: AdapterType | None = None
    message: str | None = None


@dataclass(slots=True)
class Host:
    id: UUID
    org_id: UUID
    name: str
    description: str
    connection_type: ConnectionType
    ssh_config: dict[str, Any] | None
    tags: list[str]
    status: HostStatus
    created_at: datetime
    updated_at: datetime
    maintenance_until: datetime | None = None
    adapters: list[HostAdapter] = field(default_factory=list)
    observed: ObservedStatus = field(
        default_factory=lambda: ObservedStatus(ObservedHostStatus.UNKNOWN, None)
    )
    version: int = 1
    events: list[DomainEvent] = field(default_factory=list)

    @classmethod
    def register(
        cls,
        *,
        org_id: UUID,
        name: str,
        description: str,
        connection_type: ConnectionType,
        ssh_config: dict[str, Any] | None,
        tags: list[str],
        at: datetime,
    ) -> "Host":
        if not name.strip():
            raise InvalidHost("name", "A host needs a name.")
        host = cls(
            id=uuid4(),
            org_id=org_id,
            name=name.strip(),
            description=description,
            connection_type=connection_type,
            ssh_config=validate_ssh_config(connection_type, ssh_config),
            tags=normalize_tags(tags),
            status=HostStatus.ACTIVE,
            created_at=at,
            updated_at=at,
        )
        host.events.append(HostRegistered(host.id, at))
        return host

    def edit(self, *, at: datetime, **changes: Any) -> list[str]:
        """Apply the given fields (name, description, connection_type, ssh_config, tags)."""
        if "name" in changes:
            changes["name"] = changes["name"].strip()
            if not changes["name"]:
                raise InvalidHost("name", "A host needs a name.")
        if "tags" in changes:
            changes["tags"] = normalize_tags(changes["tags"])
        connection = changes.get("connection_type", self.connection_type)
        if "connection_type" in changes or "ssh_config" in changes:
            changes["ssh_config"] = validate_ssh_config(
                connection, changes.get("ssh_config", self.ssh_config)
            )
        changed = [name for name, value in changes.items() if getattr(self, name) != value]
        for name in changed:
            setattr(self, name, changes[name])
        if changed:
            self.updated_at = at
            self.events.append(HostEdited(self.id, at, tuple(_camel(n) for n in changed)))
        return changed

    def set_status(
        self, status: HostStatus, *, at: datetime, maintenance_until: datetime | None = None
    ) -> bool:
        if maintenance_until is not None:
            if status is not HostStatus.MAINTENANCE:
                raise InvalidHost("maintenanceUntil", "maintenanceUntil goes with MAINTENANCE.")
            if maintenance_until <= at:
                raise InvalidHost("maintenanceUntil", "maintenanceUntil must be in the future.")
        if status is self.status and maintenance_until == self.maintenance_until:
            return False
        previous = self.status
        self.status = status
        self.maintenance_until = maintenance_until if status is HostStatus.MAINTENANCE else None
        self.updated_at = at
        self.events.append(HostStatusChanged(self.id, at, previous))
        return True

    def end_maintenance_if_due(self, at: datetime) -> bool:
        if (
            self.status is HostStatus.MAINTENANCE
            and self.maintenance_until is not None
            and self.maintenance_until <= at
        ):
            return self.set_status(HostStatus.ACTIVE, at=at)
        return False

    def add_adapter(
        self,
        adapter_type: AdapterType,
        config: dict[str, Any],
        status: HostAdapterStatus,
        at: datetime,
    ) -> HostAdapter:
        adapter = HostAdapter(
            uuid4(), adapter_type, validate_adapter_config(adapter_type, config), status
        )
        if any(a.mapping_key == adapter.mapping_key for a in self.adapters):
            raise InvalidHost("config", "This host already has that adapter.")
        self.adapters.append(adapter)
        self.updated_at = at
        self.events.append(AdapterAdded(self.id, at, adapter.id))
        return adapter

    def update_adapter(
        self,
        adapter_id: UUID,
        *,
        at: datetime,
        config: dict[str, Any] | None = None,
        status: HostAdapterStatus | None = None,
    ) -> HostAdapter:
        adapter = self.adapter(adapter_id)
        if config is not None:
            adapter.config = validate_adapter_config(adapter.type, config)
        if status is not None:
            adapter.status = status
        self.updated_at = at
        self.events.append(AdapterUpdated(self.id, at, adapter.id))
        return adapter

    def remove_adapter(self, adapter_id: UUID, *, at: datetime) -> None:
        adapter = self.adapter(adapter_id)
        self.adapters.remove(adapter)
        self.updated_at = at
        self.events.append(AdapterRemoved(self.id, at, adapter.id))

    def adapter(self, adapter_id: UUID) -> HostAdapter:
        for adapter in self.adapters:
            if adapter.id == adapter_id:
                return adapter
        raise LookupError(adapter_id)

    def observe(self, observed: ObservedStatus) -> bool:
        """Keep the newest observation only: late or repeated heartbeats change nothing."""
        current = self.observed.checked_at
        if (
            current is not None
            and observed.checked_at is not None
            and observed.checked_at <= current
        ):
            return False
        self.observed = observed
        return True


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)
