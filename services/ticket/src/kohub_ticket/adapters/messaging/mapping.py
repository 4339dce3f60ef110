"""Domain events → contract events on `kohub.events`. The domain may change; this keeps the
wire stable for the other services and, through them, for KustHub."""

from dataclasses import dataclass, field
from uuid import UUID

import msgspec

from kohub_contracts.alerts import AlertEventType, AlertProcessed, AlertReceived
from kohub_contracts.commands import (
    CompleteTicketCommand,
    CreateTicketCommand,
    TicketCommandOutcome,
    TicketCommandType,
)
from kohub_contracts.common import Ref
from kohub_contracts.events import (
    SOURCE_TICKET,
    IntegrationEventType,
    ResolutionData,
    TicketAssigned,
    TicketCommented,
    TicketCreated,
    TicketEventType,
    TicketResolved,
    TicketSnapshot,
    TicketStatusChanged,
    TicketSyncChanged,
    TicketUpdated,
)
from kohub_contracts.routing import KOHUB_EVENTS_EXCHANGE
from kohub_platform.asyncapi import EventDoc
from kohub_platform.outbox import OutboxMessage, envelope_message
from kohub_ticket.domain.events import (
    Assigned,
    Commented,
    DomainEvent,
    Resolved,
    StatusChanged,
    TicketEdited,
    TicketOpened,
)
from kohub_ticket.domain.model import Ticket


@dataclass(frozen=True, slots=True)
class Names:
    """Display names of what a ticket refers to, so consumers never call back."""

    users: dict[UUID, str | None] = field(default_factory=dict)
    host_name: str | None = None
    organization_name: str | None = None
    host_status: str | None = None

    def user(self, user_id: UUID | None) -> Ref | None:
        return Ref(id=str(user_id), name=self.users.get(user_id)) if user_id else None


def user_ids_of(ticket: Ticket) -> set[UUID]:
    ids = {ticket.reporter_id, ticket.assignee_id}
    for event in ticket.events:
        ids.add(event.actor_id)
        if isinstance(event, Assigned):
            ids.add(event.previous_assignee_id)
    if ticket.resolution:
        ids.add(ticket.resolution.resolver_id)
    return {i for i in ids if i is not None}


def snapshot(ticket: Ticket, names: Names) -> TicketSnapshot:
    return TicketSnapshot(
        ticket_id=ticket.id,
        key=ticket.key,
        organization=Ref(id=str(ticket.org_id), name=names.organization_name),
        title=ticket.title,
        description=ticket.description,
        priority=ticket.priority,
        status=ticket.status,
        source=ticket.source,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        version=ticket.version,
        host=Ref(id=str(ticket.host_id), name=names.host_name) if ticket.host_id else None,
        reporter=names.user(ticket.reporter_id),
        assignee=names.user(ticket.assignee_id),
        source_event_id=ticket.source_event_id,
        external_system=ticket.external_system,
        external_ticket_id=ticket.external_ticket_id,
        sync_status=ticket.sync_status,
    )


def _contract(event: DomainEvent, snap: TicketSnapshot, names: Names) -> tuple[str, msgspec.Struct]:
    actor = names.user(event.actor_id)
    match event:
        case TicketOpened():
            return TicketEventType.CREATED, TicketCreated(ticket=snap, actor=actor)
        case TicketEdited(changed_fields=fields):
            return TicketEventType.UPDATED, TicketUpdated(
                ticket=snap, changed_fields=list(fields), actor=actor
            )
        case StatusChanged(from_status=src, to_status=dst, reason=reason):
            return TicketEventType.STATUS_CHANGED, TicketStatusChanged(
                ticket=snap, from_status=src, to_status=dst, reason=reason, actor=actor
            )
        case Assigned(assignee_id=assignee, previous_assignee_id=previous):
            return TicketEventType.ASSIGNED, TicketAssigned(
                ticket=snap,
                assignee=names.user(assignee) or Ref(id=str(assignee)),
                previous_assignee=names.user(previous),
                actor=actor,
            )
        case Commented(comment_id=comment_id, content=content):
            return TicketEventType.COMMENTED, TicketCommented(
                ticket=snap, comment_id=comment_id, content=content, author=actor
            )
        case Resolved():
            return TicketEventType.RESOLVED, TicketResolved(
                ticket=snap,
                from_status=event.from_status,
                actor=actor,
                resolution=ResolutionData(
                    summary=event.summary,
                    resolved_at=event.occurred_at,
                    action_taken=event.action_taken,
                    resolved_by=actor,
                    ai_suggestion_used=event.ai_suggestion_used,
                ),
            )
    raise TypeError(f"no contract for {type(event).__name__}")


def outbox_messages(ticket: Ticket, names: Names) -> list[OutboxMessage]:
    """One outbox message per recorded event, each carrying the ticket as it is now."""
    snap = snapshot(ticket, names)
    messages = []
    for event in ticket.events:
        event_type, data = _contract(event, snap, names)
        messages.append(
            envelope_message(
                event_type=event_type,
                data=data,
                aggregate_id=str(ticket.id),
                exchange=KOHUB_EVENTS_EXCHANGE,
                source=SOURCE_TICKET,
                occurred_at=event.occurred_at,
            )
        )
    return messages


def alert_outcome_message(outcome: AlertProcessed) -> OutboxMessage:
    return envelope_message(
        event_type=AlertEventType.PROCESSED,
        data=outcome,
        aggregate_id=outcome.fingerprint[:100],
        exchange=KOHUB_EVENTS_EXCHANGE,
        source=SOURCE_TICKET,
        occurred_at=outcome.processed_at,
    )


def command_outcome_message(outcome: TicketCommandOutcome) -> OutboxMessage:
    return envelope_message(
        event_type=TicketCommandType.OUTCOME,
        data=outcome,
        # after the ticket's own events of the same transaction (a created ticket first)
        aggregate_id=str(outcome.ticket_id or outcome.command_id),
        exchange=KOHUB_EVENTS_EXCHANGE,
        source=SOURCE_TICKET,
    )


EVENT_DOCS = [
    EventDoc(
        TicketEventType.CREATED,
        KOHUB_EVENTS_EXCHANGE,
        TicketCreated,
        "A ticket was opened (by hand, by a customer, or from monitoring).",
    ),
    EventDoc(
        TicketEventType.UPDATED,
        KOHUB_EVENTS_EXCHANGE,
        TicketUpdated,
        "Title, description, priority or host changed; changedFields names them.",
    ),
    EventDoc(
        TicketEventType.STATUS_CHANGED,
        KOHUB_EVENTS_EXCHANGE,
        TicketStatusChanged,
        "Every status change, including to RESOLVED (which also emits ticket.resolved).",
    ),
    EventDoc(
        TicketEventType.ASSIGNED,
        KOHUB_EVENTS_EXCHANGE,
        TicketAssigned,
        "The assignee changed; from RECEIVED this comes with a status change to ASSIGNED.",
    ),
    EventDoc(
        TicketEventType.COMMENTED,
        KOHUB_EVENTS_EXCHANGE,
        TicketCommented,
        "A comment was added to the ticket's timeline.",
    ),
    EventDoc(
        TicketEventType.RESOLVED,
        KOHUB_EVENTS_EXCHANGE,
        TicketResolved,
        "The ticket was resolved; carries the resolution (summary, action, resolver).",
    ),
    EventDoc(
        AlertEventType.PROCESSED,
        KOHUB_EVENTS_EXCHANGE,
        AlertProcessed,
        "What became of a monitoring alert: CREATED, DEDUPLICATED, REOPENED, RECOVERED, "
        "CLOSED, SUPPRESSED, DUPLICATE or IGNORED, with the ticket.",
    ),
    EventDoc(
        AlertEventType.RECEIVED,
        KOHUB_EVENTS_EXCHANGE,
        AlertReceived,
        "Consumed (queue ticket.alerts): a normalized alert, deduplicated by fingerprint.",
        action="receive",
    ),
    EventDoc(
        TicketCommandType.OUTCOME,
        KOHUB_EVENTS_EXCHANGE,
        TicketCommandOutcome,
        "The answer to a command of the KustHub bridge: accepted with the ticket, or "
        "refused with the reason (e.g. the state machine's).",
    ),
    EventDoc(
        TicketCommandType.CREATE,
        KOHUB_EVENTS_EXCHANGE,
        CreateTicketCommand,
        "Consumed (queue ticket.commands): open a ticket linked to a KustHub ticket.",
        action="receive",
    ),
    EventDoc(
        TicketCommandType.COMPLETE,
        KOHUB_EVENTS_EXCHANGE,
        CompleteTicketCommand,
        "Consumed (queue ticket.commands): the customer confirmed; RESOLVED → COMPLETED.",
        action="receive",
    ),
    EventDoc(
        IntegrationEventType.SYNC_CHANGED,
        KOHUB_EVENTS_EXCHANGE,
        TicketSyncChanged,
        "Consumed (queue ticket.sync-status): the ticket's KustHub sync status and link.",
        action="receive",
    ),
]
