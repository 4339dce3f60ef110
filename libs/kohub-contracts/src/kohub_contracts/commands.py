"""Commands the integration bridge sends the ticket service over `kohub.events`, and the
answer the ticket service sends back. A command's envelope `eventId` is its id; the answer
names it in `commandId`, so the bridge can tell KustHub what became of its event."""

from uuid import UUID

from kohub_contracts.common import Camel, Ref
from kohub_contracts.enums import TicketPriority, TicketSource, TicketStatus
from kohub_contracts.kusthub import Person

SOURCE_INTEGRATION = "kohub.integration"


class TicketCommandType:
    CREATE = "ticket.command.create"
    COMPLETE = "ticket.command.complete"
    OUTCOME = "ticket.command.outcome"


class CreateTicketCommand(Camel):
    title: str
    description: str
    priority: TicketPriority
    source: TicketSource
    organization: Ref
    external_system: str
    external_ticket_id: str
    reporter: Person | None = None
    host_id: UUID | None = None


class CompleteTicketCommand(Camel):
    ticket_id: UUID
    reason: str | None = None
    completed_by: Person | None = None


class TicketCommandOutcome(Camel):
    """`accepted` false carries the reason (e.g. the state machine refused the move)."""

    command_id: str
    command: str
    accepted: bool
    ticket_id: UUID | None = None
    ticket_key: str | None = None
    status: TicketStatus | None = None
    reason: str | None = None


TICKET_COMMAND_TYPES: dict[str, type[Camel]] = {
    TicketCommandType.CREATE: CreateTicketCommand,
    TicketCommandType.COMPLETE: CompleteTicketCommand,
}
