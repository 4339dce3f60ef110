"""Internal domain events of kohub on the `kohub.events` exchange (routing key = event type).

They carry everything a consumer needs — a full ticket snapshot — so the integration
service can build KustHub's payloads without calling back.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from kohub_contracts.common import Camel, Ref
from kohub_contracts.enums import SyncStatus, TicketPriority, TicketSource, TicketStatus

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


class TicketEventType:
    """Routing keys of the ticket service's events on `kohub.events`."""

    CREATED = "ticket.created"
    UPDATED = "ticket.updated"
    STATUS_CHANGED = "ticket.status_changed"
    ASSIGNED = "ticket.assigned"
    COMMENTED = "ticket.commented"
    RESOLVED = "ticket.resolved"


TICKET_EVENT_TYPES: dict[str, type[Camel]] = {
    TicketEventType.CREATED: TicketCreated,
    TicketEventType.UPDATED: TicketUpdated,
    TicketEventType.STATUS_CHANGED: TicketStatusChanged,
    TicketEventType.ASSIGNED: TicketAssigned,
    TicketEventType.COMMENTED: TicketCommented,
    TicketEventType.RESOLVED: TicketResolved,
}
