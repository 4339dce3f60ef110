"""Which KustHub event a ticket event becomes, and its payload (seed §4.2).

Monitoring tickets are incidents: `incident.created` when opened, `incident.updated` on
each later status change, `incident.resolved` when resolved. Tickets opened from a KustHub
customer request get the updates and the resolution too (KustHub made the ticket, so no
`incident.created`). Manual tickets stay inside kohub. An escalation of any linked ticket
becomes `ticket.escalated`."""

from dataclasses import dataclass
from typing import Literal

from kohub_contracts.common import Camel
from kohub_contracts.durations import iso_duration
from kohub_contracts.enums import TicketPriority, TicketSource, TicketStatus
from kohub_contracts.events import (
    TicketCreated,
    TicketEscalated,
    TicketResolved,
    TicketSnapshot,
    TicketStatusChanged,
)
from kohub_contracts.kusthub import (
    EXTERNAL_SYSTEM,
    IncidentCreatedEvent,
    IncidentResolvedEvent,
    IncidentUpdatedEvent,
    KustHubEventType,
    ResolutionInfo,
    TicketEscalatedEvent,
)

MONITORING_SOURCES = frozenset(
    {TicketSource.UPTIME_KUMA, TicketSource.PROMETHEUS, TicketSource.GRAFANA}
)
Locale = Literal["ko", "en"]
# What a customer reads in KustHub's notice draft, by the incident's priority.
ESTIMATED_IMPACT: dict[Locale, dict[TicketPriority, str]] = {
    "ko": {
        TicketPriority.CRITICAL: "서비스 접속 불가",
        TicketPriority.HIGH: "서비스 일부 기능 장애 또는 성능 저하",
        TicketPriority.MEDIUM: "일부 사용자에게 제한적 영향",
        TicketPriority.LOW: "서비스 영향 없음 또는 미미",
    },
    "en": {
        TicketPriority.CRITICAL: "Service unavailable",
        TicketPriority.HIGH: "Some features failing or degraded performance",
        TicketPriority.MEDIUM: "Limited impact on some users",
        TicketPriority.LOW: "No or negligible service impact",
    },
}
TicketEvent = TicketCreated | TicketStatusChanged | TicketResolved | TicketEscalated


@dataclass(frozen=True, slots=True)
class KustHubEvent:
    event_type: str
    data: Camel


def kusthub_ticket_id(ticket: TicketSnapshot) -> str | None:
    """KustHub's ticket, when this ticket was opened from one of its customer requests."""
    return ticket.external_ticket_id if ticket.external_system == EXTERNAL_SYSTEM else None


def is_shared_with_kusthub(ticket: TicketSnapshot) -> bool:
    return ticket.source in MONITORING_SOURCES or kusthub_ticket_id(ticket) is not None


def to_kusthub(
    event: TicketEvent, *, affected_services: list[str], locale: Locale = "ko"
) -> KustHubEvent | None:
    """The KustHub event for a ticket event, or None when KustHub is not told."""
    ticket = event.ticket
    if not is_shared_with_kusthub(ticket):
        return None
    match event:
        case TicketCreated():
            if ticket.source not in MONITORING_SOURCES:
                return None  # KustHub opened it: it knows
            return KustHubEvent(
                KustHubEventType.INCIDENT_CREATED,
                incident_created(ticket, affected_services, locale),
            )
        case TicketStatusChanged(to_status=TicketStatus.RESOLVED):
            return None  # ticket.resolved of the same change carries the resolution
        case TicketStatusChanged():
            return KustHubEvent(KustHubEventType.INCIDENT_UPDATED, incident_updated(event))
        case TicketResolved():
            return KustHubEvent(KustHubEventType.INCIDENT_RESOLVED, incident_resolved(event))
        case TicketEscalated():
            return KustHubEvent(KustHubEventType.TICKET_ESCALATED, ticket_escalated(event))
    return None


def incident_created(
    ticket: TicketSnapshot, affected_services: list[str], locale: Locale
) -> IncidentCreatedEvent:
    return IncidentCreatedEvent(
        ticket_id=str(ticket.ticket_id),
        external_ticket_id=ticket.key,
        title=ticket.title,
        description=ticket.description,
        priority=ticket.priority,
        source=ticket.source,
        host=ticket.host,
        organization=ticket.organization,
        affected_services=affected_services,
        estimated_impact=ESTIMATED_IMPACT[locale][ticket.priority],
        status=ticket.status,
        created_at=ticket.created_at,
    )


def incident_updated(event: TicketStatusChanged) -> IncidentUpdatedEvent:
    ticket = event.ticket
    return IncidentUpdatedEvent(
        ticket_id=str(ticket.ticket_id),
        external_ticket_id=ticket.key,
        title=ticket.title,
        status=event.to_status,
        previous_status=event.from_status,
        priority=ticket.priority,
        source=ticket.source,
        organization=ticket.organization,
        updated_at=ticket.updated_at,
        reason=event.reason,
        assignee=ticket.assignee,
        kusthub_ticket_id=kusthub_ticket_id(ticket),
    )


def incident_resolved(event: TicketResolved) -> IncidentResolvedEvent:
    ticket, resolution = event.ticket, event.resolution
    resolver = resolution.resolved_by
    return IncidentResolvedEvent(
        ticket_id=str(ticket.ticket_id),
        external_ticket_id=ticket.key,
        title=ticket.title,
        resolution=ResolutionInfo(
            summary=resolution.summary,
            action_taken=resolution.action_taken,
            resolved_by=resolver.name if resolver else None,
            resolved_at=resolution.resolved_at,
            downtime=iso_duration(resolution.resolved_at - ticket.created_at),
        ),
        organization=ticket.organization,
        source=ticket.source,
        host=ticket.host,
        kusthub_ticket_id=kusthub_ticket_id(ticket),
    )


def ticket_escalated(event: TicketEscalated) -> TicketEscalatedEvent:
    ticket = event.ticket
    return TicketEscalatedEvent(
        ticket_id=str(ticket.ticket_id),
        external_ticket_id=ticket.key,
        title=ticket.title,
        priority=ticket.priority,
        status=ticket.status,
        organization=ticket.organization,
        level=event.level,
        reason=event.reason,
        escalated_at=event.escalated_at,
        escalated_to=event.escalated_to.name if event.escalated_to else None,
        kusthub_ticket_id=kusthub_ticket_id(ticket),
    )
