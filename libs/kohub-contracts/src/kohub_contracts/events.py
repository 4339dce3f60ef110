"""Internal domain events of kohub on the `kohub.events` exchange (routing key = event type).

They carry everything a consumer needs — a full ticket snapshot — so the integration
service can build KustHub's payloads without calling back.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from kohub_contracts.common import Camel, Ref
from kohub_contracts.enums import (
    AdapterType,
    ConnectionType,
    HostAdapterStatus,
    HostStatus,
    ObservedHostStatus,
    SyncStatus,
    TicketPriority,
    TicketSource,
    TicketStatus,
)

SOURCE_TICKET = "kohub.ticket"


class TicketSnapshot(Camel):
    ticket_id: UUID
    key: str
    organization: Ref
    title: str
    description: str
    priority: TicketPriority
    status: TicketStatus
    source: TicketSource
    created_at: datetime
    updated_at: datetime
    version: int
    host: Ref | None = None
    reporter: Ref | None = None
    assignee: Ref | None = None
    source_event_id: str | None = None
    external_system: str | None = None
    external_ticket_id: str | None = None
    sync_status: SyncStatus = SyncStatus.NONE


class TicketCreated(Camel):
    ticket: TicketSnapshot
    actor: Ref | None = None


class TicketUpdated(Camel):
    ticket: TicketSnapshot
    changed_fields: list[str]
    actor: Ref | None = None


class TicketStatusChanged(Camel):
    ticket: TicketSnapshot
    from_status: TicketStatus
    to_status: TicketStatus
    reason: str | None = None
    actor: Ref | None = None


class TicketAssigned(Camel):
    ticket: TicketSnapshot
    assignee: Ref
    previous_assignee: Ref | None = None
    actor: Ref | None = None


class TicketCommented(Camel):
    ticket: TicketSnapshot
    comment_id: UUID
    content: str
    author: Ref | None = None


class ResolutionData(Camel):
    summary: str
    resolved_at: datetime
    action_taken: str | None = None
    resolved_by: Ref | None = None
    ai_suggestion_used: dict[str, Any] | None = None


class TicketResolved(Camel):
    ticket: TicketSnapshot
    resolution: ResolutionData
    from_status: TicketStatus
    actor: Ref | None = None


class TicketEscalated(Camel):
    """The ticket was escalated (the SLA work raises it; the bridge maps it for KustHub)."""

    ticket: TicketSnapshot
    level: int
    reason: str
    escalated_at: datetime
    escalated_to: Ref | None = None
    actor: Ref | None = None


class TicketEventType:
    """Routing keys of the ticket service's events on `kohub.events`."""

    CREATED = "ticket.created"
    UPDATED = "ticket.updated"
    STATUS_CHANGED = "ticket.status_changed"
    ASSIGNED = "ticket.assigned"
    COMMENTED = "ticket.commented"
    RESOLVED = "ticket.resolved"
    ESCALATED = "ticket.escalated"


TICKET_EVENT_TYPES: dict[str, type[Camel]] = {
    TicketEventType.CREATED: TicketCreated,
    TicketEventType.UPDATED: TicketUpdated,
    TicketEventType.STATUS_CHANGED: TicketStatusChanged,
    TicketEventType.ASSIGNED: TicketAssigned,
    TicketEventType.COMMENTED: TicketCommented,
    TicketEventType.RESOLVED: TicketResolved,
    TicketEventType.ESCALATED: TicketEscalated,
}


# -- host service ----------------------------------------------------------------------

SOURCE_HOST = "kohub.host"


class AdapterState(Camel):
    adapter_id: UUID
    type: AdapterType
    status: HostAdapterStatus
    config: dict[str, Any]
    last_sync_at: datetime | None = None


class HostState(Camel):
    """The full current state of a host, so consumers keep read models without calling."""

    host_id: UUID
    organization: Ref
    name: str
    description: str
    connection_type: ConnectionType
    tags: list[str]
    status: HostStatus
    adapters: list[AdapterState]
    created_at: datetime
    updated_at: datetime
    version: int
    maintenance_until: datetime | None = None


class HostChanged(Camel):
    """Body of host.created, host.updated, host.status_changed and host.adapter_*."""

    host: HostState
    changed_fields: list[str] = msgspec.field(default_factory=list)
    adapter_id: UUID | None = None
    previous_status: HostStatus | None = None


class OrganizationUpserted(Camel):
    organization_id: UUID
    name: str | None
    updated_at: datetime


class HostStatusObserved(Camel):
    """Published by the adapter gateway for every heartbeat of a mapped host."""

    host_id: UUID
    status: ObservedHostStatus
    observed_at: datetime
    adapter: AdapterType | None = None
    adapter_id: UUID | None = None
    message: str | None = None


class HostEventType:
    CREATED = "host.created"
    UPDATED = "host.updated"
    STATUS_CHANGED = "host.status_changed"
    ADAPTER_ADDED = "host.adapter_added"
    ADAPTER_UPDATED = "host.adapter_updated"
    ADAPTER_REMOVED = "host.adapter_removed"
    ORGANIZATION_UPSERTED = "organization.upserted"
    STATUS_OBSERVED = "host.status.observed"


HOST_EVENT_TYPES: dict[str, type[Camel]] = {
    HostEventType.CREATED: HostChanged,
    HostEventType.UPDATED: HostChanged,
    HostEventType.STATUS_CHANGED: HostChanged,
    HostEventType.ADAPTER_ADDED: HostChanged,
    HostEventType.ADAPTER_UPDATED: HostChanged,
    HostEventType.ADAPTER_REMOVED: HostChanged,
    HostEventType.ORGANIZATION_UPSERTED: OrganizationUpserted,
    HostEventType.STATUS_OBSERVED: HostStatusObserved,
}


# -- integration service -----------------------------------------------------------------


class TicketSyncChanged(Camel):
    """The KustHub link of a ticket changed state; the ticket service keeps `sync_status`
    and the link fields from it. `sequence` grows per ticket: an older one is ignored."""

    ticket_id: UUID
    sync_status: SyncStatus
    sequence: int
    changed_at: datetime
    external_system: str | None = None
    external_ticket_id: str | None = None
    reason: str | None = None


class IntegrationEventType:
    SYNC_CHANGED = "integration.sync_changed"
