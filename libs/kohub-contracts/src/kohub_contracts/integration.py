"""The integration service's internal API (`/api/internal/*`, service accounts): a ticket's
KustHub sync state and events, publishing, and the dead letters of its queues."""

from datetime import datetime
from typing import Any
from uuid import UUID

from kohub_contracts.common import Camel
from kohub_contracts.enums import SyncDirection, SyncEventStatus, SyncStatus


class SyncEventItem(Camel):
    """A ticket_sync_events row; `payload` is the whole envelope as sent or received."""

    id: UUID
    event_id: str
    event_type: str
    direction: SyncDirection
    status: SyncEventStatus
    retry_count: int
    created_at: datetime
    payload: dict[str, Any]
    ticket_id: UUID | None = None
    error: str | None = None
    processed_at: datetime | None = None


class TicketSyncResponse(Camel):
    ticket_id: UUID
    sync_status: SyncStatus
    events: list[SyncEventItem]
    ticket_key: str | None = None
    external_system: str | None = None
    external_ticket_id: str | None = None
    """KustHub's ticket, when the ticket was opened from one of its requests."""
    sync_reason: str | None = None


class ContractEventIn(Camel, forbid_unknown_fields=True):
    """A KustHub contract event to publish; `data` is checked against `eventType`'s schema."""

    event_type: str
    data: dict[str, Any]
    event_id: str | None = None
    timestamp: datetime | None = None
    source: str | None = None


class PublishRequest(Camel, forbid_unknown_fields=True):
    """Exactly one of: `syncEventId` (send a stored outbound event again, same eventId) or
    `event` (publish a contract event)."""

    sync_event_id: UUID | None = None
    event: ContractEventIn | None = None


class PublishAccepted(Camel):
    event_id: str
    event_type: str
    status: SyncEventStatus
    sync_event_id: UUID | None = None
    """None for a KustHub-side event type: its inbound consumer records it."""


class DeadLetterItem(Camel):
    id: int
    queue: str
    reason: str
    received_at: datetime
    body: str
    """The message as received (UTF-8; undecodable bytes replaced)."""
    headers: dict[str, Any]
    message_id: str | None = None
    exchange: str | None = None
    routing_key: str | None = None
    deliveries: int | None = None
    replayed_at: datetime | None = None
