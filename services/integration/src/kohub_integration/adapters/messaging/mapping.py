"""Outbox messages of the bridge: KustHub's contract events on `kusthub.events`, commands
and sync reports on `kohub.events`; and the AsyncAPI description of both directions."""

from datetime import UTC, datetime
from uuid import uuid4

import msgspec

from kohub_contracts.commands import (
    SOURCE_INTEGRATION,
    CompleteTicketCommand,
    CreateTicketCommand,
    TicketCommandOutcome,
    TicketCommandType,
)
from kohub_contracts.common import Camel
from kohub_contracts.envelope import Envelope
from kohub_contracts.events import (
    IntegrationEventType,
    TicketCreated,
    TicketEscalated,
    TicketEventType,
    TicketResolved,
    TicketStatusChanged,
    TicketSyncChanged,
)
from kohub_contracts.kusthub import (
    EXTERNAL_SYSTEM,
    CustomerRequestEvent,
    IncidentCreatedEvent,
    IncidentResolvedEvent,
    IncidentUpdatedEvent,
    KustHubEventType,
    TicketCompletedEvent,
    TicketEscalatedEvent,
)
from kohub_contracts.routing import KOHUB_EVENTS_EXCHANGE, KUSTHUB_EVENTS_EXCHANGE
from kohub_integration.domain.links import TicketLink
from kohub_platform.asyncapi import EventDoc
from kohub_platform.logs import current_correlation_id
from kohub_platform.outbox import OutboxMessage, envelope_message


def kusthub_message(
    event_type: str,
    data: Camel,
    *,
    aggregate_id: str,
    source: str,
    event_id: str | None = None,
    timestamp: datetime | None = None,
) -> tuple[OutboxMessage, Envelope[Camel]]:
    """The contract envelope and its outbox row (message_id = eventId)."""
    envelope = Envelope(
        event_id=event_id or str(uuid4()),
        event_type=event_type,
        timestamp=timestamp or datetime.now(UTC),
        source=source,
        data=data,
    )
    message = OutboxMessage(
        event_id=envelope.event_id,
        event_type=event_type,
        aggregate_id=aggregate_id,
        exchange=KUSTHUB_EVENTS_EXCHANGE,
        routing_key=event_type,
        body=msgspec.json.encode(envelope),
        correlation_id=current_correlation_id(),
    )
    return message, envelope


def command_message(command_type: str, data: Camel, aggregate_id: str) -> OutboxMessage:
    return envelope_message(
        event_type=command_type,
        data=data,
        aggregate_id=aggregate_id,
        exchange=KOHUB_EVENTS_EXCHANGE,
        source=SOURCE_INTEGRATION,
    )


def sync_report_message(link: TicketLink, at: datetime) -> OutboxMessage:
    return envelope_message(
        event_type=IntegrationEventType.SYNC_CHANGED,
        data=TicketSyncChanged(
            ticket_id=link.ticket_id,
            sync_status=link.sync_status,
            sequence=link.sync_seq,
            changed_at=at,
            external_system=EXTERNAL_SYSTEM,
            external_ticket_id=link.kusthub_ticket_id,
            reason=link.sync_reason,
        ),
        # apart from the ticket's KustHub events: a report never waits behind them
        aggregate_id=f"sync:{link.ticket_id}",
        exchange=KOHUB_EVENTS_EXCHANGE,
        source=SOURCE_INTEGRATION,
        occurred_at=at,
    )


def _kusthub(event_type: str, data_type: type, description: str, action: str = "send") -> EventDoc:
    return EventDoc(event_type, KUSTHUB_EVENTS_EXCHANGE, data_type, description, action)  # type: ignore[arg-type]


def _kohub(event_type: str, data_type: type, description: str, action: str = "send") -> EventDoc:
    return EventDoc(event_type, KOHUB_EVENTS_EXCHANGE, data_type, description, action)  # type: ignore[arg-type]


EVENT_DOCS = [
    _kusthub(
        KustHubEventType.INCIDENT_CREATED,
        IncidentCreatedEvent,
        "To KustHub: a ticket opened from monitoring (Uptime Kuma, Prometheus, Grafana); "
        "KustHub drafts an incident notice.",
    ),
    _kusthub(
        KustHubEventType.INCIDENT_UPDATED,
        IncidentUpdatedEvent,
        "To KustHub: a later status change of an incident or of a customer request's ticket.",
    ),
    _kusthub(
        KustHubEventType.INCIDENT_RESOLVED,
        IncidentResolvedEvent,
        "To KustHub: resolved, with the resolution and the downtime (ISO-8601 duration).",
    ),
    _kusthub(
        KustHubEventType.TICKET_ESCALATED,
        TicketEscalatedEvent,
        "To KustHub: a linked ticket was escalated.",
    ),
    _kusthub(
        KustHubEventType.CUSTOMER_REQUEST_CREATED,
        CustomerRequestEvent,
        "From KustHub (queue integration.kusthub-inbound): a customer request; with "
        "requiresOperationalTicket kohub opens a linked CUSTOMER_REQUEST ticket.",
        "receive",
    ),
    _kusthub(
        KustHubEventType.TICKET_COMPLETED,
        TicketCompletedEvent,
        "From KustHub (queue integration.kusthub-inbound): the customer confirmed; the "
        "linked ticket goes COMPLETED when it is RESOLVED, else the event is FAILED.",
        "receive",
    ),
    _kohub(
        TicketCommandType.CREATE,
        CreateTicketCommand,
        "To the ticket service: open a ticket linked to a KustHub ticket.",
    ),
    _kohub(
        TicketCommandType.COMPLETE,
        CompleteTicketCommand,
        "To the ticket service: the customer confirmed the result.",
    ),
    _kohub(
        IntegrationEventType.SYNC_CHANGED,
        TicketSyncChanged,
        "To the ticket service: the ticket's KustHub sync status and link changed.",
    ),
    _kohub(
        TicketCommandType.OUTCOME,
        TicketCommandOutcome,
        "Consumed (queue integration.command-outcomes): what became of a command.",
        "receive",
    ),
    *(
        _kohub(
            event_type,
            data_type,
            f"Consumed (queue integration.ticket-events): {event_type}.",
            "receive",
        )
        for event_type, data_type in (
            (TicketEventType.CREATED, TicketCreated),
            (TicketEventType.STATUS_CHANGED, TicketStatusChanged),
            (TicketEventType.RESOLVED, TicketResolved),
            (TicketEventType.ESCALATED, TicketEscalated),
        )
    ),
]
