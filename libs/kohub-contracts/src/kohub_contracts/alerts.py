"""Monitoring alerts: the adapter gateway's webhook sources (HTTP), the normalized
`alert.received` event the ticket service turns into tickets, the `alert.processed` answer,
and the recent-alerts list of the dashboard."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from kohub_contracts.common import Camel, Ref
from kohub_contracts.enums import (
    AdapterEventStatus,
    AdapterType,
    AlertOutcome,
    AlertState,
    TicketPriority,
    TicketSource,
)

SOURCE_ADAPTER = "kohub.adapter"
SourceName = Annotated[str, Meta(min_length=1, max_length=200)]
HmacSecret = Annotated[str, Meta(min_length=16, max_length=256)]
RateLimit = Annotated[int, Meta(ge=1, le=1_000_000)]
# severity label value (lower case) → priority, e.g. {"disaster": "CRITICAL"}
PriorityOverrides = Annotated[dict[str, TicketPriority], Meta(max_length=64)]


# -- webhook sources (msp-admin) -------------------------------------------------------


class WebhookSourceCreateRequest(Camel, forbid_unknown_fields=True):
    adapter_type: AdapterType
    name: SourceName
    default_organization_id: UUID | None = None
    """Organization of alerts whose host cannot be mapped; without it they open no ticket."""
    hmac_secret: HmacSecret | None = None
    """Grafana only: the secret of its HMAC signature, as typed into Grafana's contact point."""
    priority_overrides: PriorityOverrides = msgspec.field(default_factory=dict)
    rate_limit_per_minute: RateLimit | None = None
    """Past this many requests a minute the source gets 429; none = no limit."""


class WebhookSourceUpdateRequest(Camel, forbid_unknown_fields=True):
    name: SourceName | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET
    default_organization_id: UUID | UnsetType | None = UNSET
    hmac_secret: HmacSecret | UnsetType | None = UNSET
    priority_overrides: PriorityOverrides | UnsetType = UNSET
    rate_limit_per_minute: RateLimit | UnsetType | None = UNSET


class WebhookSourceResponse(Camel):
    id: UUID
    adapter_type: AdapterType
    name: str
    enabled: bool
    token_hint: str
    """The token's first characters, to tell tokens apart; the token itself is never stored."""
    has_hmac_secret: bool
    priority_overrides: dict[str, TicketPriority]
    webhook_path: str
    created_at: datetime
    updated_at: datetime
    version: int
    default_organization_id: UUID | None = None
    rate_limit_per_minute: int | None = None
    token_rotated_at: datetime | None = None
    last_received_at: datetime | None = None


class WebhookSourceSecret(Camel):
    """Answer of create and rotate: the only time the token is shown."""

    source: WebhookSourceResponse
    token: str


# -- adapter events (inspection, msp-admin) --------------------------------------------


class AdapterEventResponse(Camel):
    id: UUID
    adapter_type: AdapterType
    status: AdapterEventStatus
    received_at: datetime
    content_type: str | None
    headers: dict[str, str]
    """Request headers with every secret (Authorization, signatures, cookies) removed."""
    body: str
    """The raw body as received (UTF-8, invalid bytes replaced)."""
    alert_count: int
    source_id: UUID | None = None
    event_type: str | None = None
    error: str | None = None
    created_ticket_id: UUID | None = None
    processed_at: datetime | None = None


class AdapterEventItem(Camel):
    id: UUID
    adapter_type: AdapterType
    status: AdapterEventStatus
    received_at: datetime
    alert_count: int
    source_id: UUID | None = None
    event_type: str | None = None
    error: str | None = None
    created_ticket_id: UUID | None = None


class WebhookAccepted(Camel):
    """202 answer of a webhook: stored, and what the gateway made of it."""

    adapter_event_id: UUID
    alerts: int
    status: AdapterEventStatus


class ToolAdapterInfo(Camel):
    """One adapter of the registry (seed §2.3) and how it is doing."""

    adapter_type: AdapterType
    name: str
    kind: str
    capabilities: list[str]
    healthy: bool
    detail: str
    checked_at: datetime


class MappedHostResponse(Camel):
    """A host as the adapter gateway's mapping read model knows it (from host.* events):
    what alerts are matched against."""

    host_id: UUID
    name: str
    organization_id: UUID
    status: str
    adapters: list[dict[str, Any]]
    organization_name: str | None = None


# -- events on kohub.events ------------------------------------------------------------


class AlertReceived(Camel):
    """`alert.received`: one normalized alert, for the ticket service to deduplicate."""

    alert_id: UUID
    adapter_event_id: UUID
    source_id: UUID
    adapter: AdapterType
    ticket_source: TicketSource
    fingerprint: str
    """Stable over the alert's life: `<adapter>:<source id>:<monitor id | fingerprint>`."""
    source_event_id: str
    """The tool's event, e.g. `uptime-kuma-1-20260130T101500`: the same one twice is a repeat
    delivery."""
    state: AlertState
    priority: TicketPriority
    title: str
    description: str
    occurred_at: datetime
    organization: Ref | None
    """The mapped host's organization, else the source's default; none = no ticket."""
    host: Ref | None = None
    starts_at: datetime | None = None
    """When the outage began (FIRING's start), for the outage duration on recovery."""
    links: dict[str, str] = msgspec.field(default_factory=dict)
    labels: dict[str, str] = msgspec.field(default_factory=dict)


class AlertProcessed(Camel):
    """`alert.processed`: the ticket service's outcome for one alert."""

    alert_id: UUID
    adapter_event_id: UUID
    fingerprint: str
    outcome: AlertOutcome
    processed_at: datetime
    ticket_id: UUID | None = None
    ticket_key: str | None = None
    detail: str | None = None


class AlertEventType:
    RECEIVED = "alert.received"
    PROCESSED = "alert.processed"


ALERT_EVENT_TYPES: dict[str, type[Camel]] = {
    AlertEventType.RECEIVED: AlertReceived,
    AlertEventType.PROCESSED: AlertProcessed,
}


# -- the recent-alerts list ------------------------------------------------------------


class AlertListItem(Camel):
    id: UUID
    adapter_event_id: UUID
    source_id: UUID
    adapter: AdapterType
    fingerprint: str
    state: AlertState
    priority: TicketPriority
    title: str
    occurred_at: datetime
    received_at: datetime
    organization_id: UUID | None = None
    host: Ref | None = None
    outcome: AlertOutcome | None = None
    """None while the ticket service has not answered yet."""
    ticket_id: UUID | None = None
    ticket_key: str | None = None
    links: dict[str, str] = msgspec.field(default_factory=dict)
