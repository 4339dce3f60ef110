"""The KustHub contract of seed §4.2 on the `kusthub.events` exchange (routing key = event
type), both directions. KustHub's team builds against these shapes: a seed field is never
renamed or retyped; what kohub needs beyond the seed is added as an optional field.

Ticket ids: kohub → KustHub events name kohub's ticket (`ticketId` = kohub's id,
`externalTicketId` = the `KH-…` key). KustHub → kohub events name KustHub's ticket
(`ticketId` = KustHub's id) and refer to kohub's by `externalTicketId` / `kohubTicketId`.
"""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta

from kohub_contracts.common import Camel, Ref
from kohub_contracts.enums import TicketPriority, TicketSource, TicketStatus

SOURCE_KOHUB = "kohub"
SOURCE_KUSTHUB = "kusthub"
EXTERNAL_SYSTEM = "kusthub"
"""The `external_system` of a kohub ticket linked to a KustHub ticket."""

KustHubTicketId = Annotated[str, Meta(min_length=1, max_length=100)]
Text = Annotated[str, Meta(max_length=20_000)]


class KustHubEventType:
    INCIDENT_CREATED = "incident.created"
    INCIDENT_UPDATED = "incident.updated"
    INCIDENT_RESOLVED = "incident.resolved"
    TICKET_ESCALATED = "ticket.escalated"
    CUSTOMER_REQUEST_CREATED = "customer.request.created"
    TICKET_COMPLETED = "ticket.completed"


class Person(Camel):
    """A person of the shared realm (`id` is the Keycloak user id)."""

    id: Annotated[str, Meta(min_length=1, max_length=100)]
    name: Annotated[str, Meta(max_length=200)] | None = None
    email: Annotated[str, Meta(max_length=320)] | None = None


# -- kohub → KustHub -----------------------------------------------------------------------


class IncidentCreatedEvent(Camel):
    """A ticket opened from monitoring: KustHub drafts an incident notice."""

    ticket_id: str
    external_ticket_id: str
    """kohub's ticket key, `KH-<year>-<number>`."""
    title: str
    description: str
    priority: TicketPriority
    source: TicketSource
    host: Ref | None
    organization: Ref
    affected_services: list[str]
    estimated_impact: str
    # -- beyond the seed (optional for KustHub)
    status: TicketStatus | None = None
    created_at: datetime | None = None


class IncidentUpdatedEvent(Camel):
    """A later status change of an incident or of a customer request's ticket."""

    ticket_id: str
    external_ticket_id: str
    title: str
    status: TicketStatus
    previous_status: TicketStatus
    priority: TicketPriority
    source: TicketSource
    organization: Ref
    updated_at: datetime
    reason: str | None = None
    assignee: Ref | None = None
    kusthub_ticket_id: str | None = None
    """Set when the ticket was opened from a KustHub customer request."""


class ResolutionInfo(Camel):
    summary: str
    action_taken: str | None
    resolved_by: str | None
    """The resolver's display name."""
    resolved_at: datetime
    downtime: str
    """ISO-8601 duration from the ticket's opening to its resolution, e.g. `PT1H15M`."""


class IncidentResolvedEvent(Camel):
    ticket_id: str
    external_ticket_id: str
    title: str
    resolution: ResolutionInfo
    organization: Ref
    # -- beyond the seed
    source: TicketSource | None = None
    host: Ref | None = None
    kusthub_ticket_id: str | None = None


class TicketEscalatedEvent(Camel):
    ticket_id: str
    external_ticket_id: str
    title: str
    priority: TicketPriority
    status: TicketStatus
    organization: Ref
    level: int
    reason: str
    escalated_at: datetime
    escalated_to: str | None = None
    kusthub_ticket_id: str | None = None


# -- KustHub → kohub -----------------------------------------------------------------------


class CustomerRequestEvent(Camel):
    """A customer's request in KustHub; with `requiresOperationalTicket` kohub opens a
    CUSTOMER_REQUEST ticket linked to it."""

    ticket_id: KustHubTicketId
    subject: Annotated[str, Meta(min_length=1, max_length=200)]
    description: Text
    category: Annotated[str, Meta(max_length=100)] | None
    priority: TicketPriority
    requester: Person
    organization: Ref
    requires_operational_ticket: bool
    # -- beyond the seed
    host_id: UUID | None = None


class TicketCompletedEvent(Camel):
    """The customer confirmed the result in KustHub: kohub's ticket goes COMPLETED."""

    ticket_id: KustHubTicketId
    """KustHub's ticket."""
    external_ticket_id: str | None = None
    """kohub's key (`KH-…`), as kohub's events gave it."""
    kohub_ticket_id: UUID | None = None
    completed_at: datetime | None = None
    completed_by: Person | None = None
    comment: Text | None = None
    satisfaction: Annotated[int, Meta(ge=1, le=5)] | None = None
    in_reply_to: str | None = None
    """The eventId of the kohub event this answers (usually its `incident.resolved`)."""


OUTBOUND_EVENT_TYPES: dict[str, type[Camel]] = {
    KustHubEventType.INCIDENT_CREATED: IncidentCreatedEvent,
    KustHubEventType.INCIDENT_UPDATED: IncidentUpdatedEvent,
    KustHubEventType.INCIDENT_RESOLVED: IncidentResolvedEvent,
    KustHubEventType.TICKET_ESCALATED: TicketEscalatedEvent,
}
INBOUND_EVENT_TYPES: dict[str, type[Camel]] = {
    KustHubEventType.CUSTOMER_REQUEST_CREATED: CustomerRequestEvent,
    KustHubEventType.TICKET_COMPLETED: TicketCompletedEvent,
}
KUSTHUB_EVENT_TYPES = {**OUTBOUND_EVENT_TYPES, **INBOUND_EVENT_TYPES}


def validate_event_data(event_type: str, data: object) -> Camel:
    """Read a contract event's `data` (already parsed JSON) into its Struct; raises
    KeyError for an unknown type and msgspec.ValidationError for a wrong shape."""
    return msgspec.convert(data, KUSTHUB_EVENT_TYPES[event_type])
