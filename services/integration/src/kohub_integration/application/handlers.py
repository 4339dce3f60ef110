"""The bridge's handlers, one per message it consumes. Each runs in one transaction with
its inbox entry, its ticket_sync_events rows and its outbox rows."""

from typing import Any
from uuid import UUID, uuid4

import msgspec

from kohub_contracts.commands import (
    CompleteTicketCommand,
    CreateTicketCommand,
    TicketCommandOutcome,
    TicketCommandType,
)
from kohub_contracts.enums import SyncDirection, SyncEventStatus, SyncStatus, TicketSource
from kohub_contracts.envelope import Envelope
from kohub_contracts.kusthub import EXTERNAL_SYSTEM, CustomerRequestEvent, TicketCompletedEvent
from kohub_integration.application.ports import SyncEvent, UnitOfWork
from kohub_integration.domain.incidents import Locale, TicketEvent, kusthub_ticket_id, to_kusthub
from kohub_integration.domain.links import TicketLink

TICKET_EVENTS_CONSUMER = "integration.ticket-events"
INBOUND_CONSUMER = "integration.kusthub-inbound"
OUTCOMES_CONSUMER = "integration.command-outcomes"


async def forward_ticket_events(
    events: list[tuple[str, TicketEvent]], uow: UnitOfWork, locale: Locale = "ko"
) -> int:
    """Ticket events (message id, event), in the order they were published: those KustHub
    must hear of become its contract events, in the outbox in that same order. One
    transaction for all, a handful of statements whatever their number; a redelivered one
    is skipped. Returns how many were new."""
    async with uow:
        new = await uow.first_deliveries(TICKET_EVENTS_CONSUMER, [m for m, _ in events])
        outgoing = [
            (event, kusthub)
            for message_id, event in events
            if message_id in new
            and (kusthub := to_kusthub(event, affected_services=[], locale=locale)) is not None
        ]
        links = await uow.links.lock_many({event.ticket.ticket_id for event, _ in outgoing})
        for event, kusthub in outgoing:
            ticket = event.ticket
            link = links.setdefault(ticket.ticket_id, TicketLink(ticket.ticket_id))
            link.ticket_key = ticket.key
            link.org_id = UUID(ticket.organization.id)
            link.kusthub_ticket_id = kusthub_ticket_id(ticket) or link.kusthub_ticket_id
            uow.publish_to_kusthub(ticket.ticket_id, kusthub.event_type, kusthub.data)
        await uow.links.save_many(list(links.values()))
        await uow.commit()
    return len(new)


async def accept_customer_request(
    envelope: Envelope[CustomerRequestEvent], uow: UnitOfWork
) -> bool:
    """`requiresOperationalTicket` → a CUSTOMER_REQUEST ticket, asked of the ticket service
    as a command; otherwise recorded (IGNORED). False for a redelivery."""
    request = envelope.data
    async with uow:
        if not await uow.first_delivery(INBOUND_CONSUMER, envelope.event_id):
            return False
        record = _inbound(envelope, SyncEventStatus.PENDING)
        if not request.requires_operational_ticket:
            record.status = SyncEventStatus.IGNORED
            record.error = "requiresOperationalTicket is false: no operational ticket"
        else:
            record.command_id = uow.send_command(
                TicketCommandType.CREATE,
                CreateTicketCommand(
                    title=request.subject,
                    description=request.description,
                    priority=request.priority,
                    source=TicketSource.CUSTOMER_REQUEST,
                    organization=request.organization,
                    external_system=EXTERNAL_SYSTEM,
                    external_ticket_id=request.ticket_id,
                    reporter=request.requester,
                    host_id=request.host_id,
                ),
                aggregate_id=f"kusthub:{request.ticket_id}",
            )
        await uow.sync_events.add(record)
        await uow.commit()
    return True


async def accept_ticket_completed(
    envelope: Envelope[TicketCompletedEvent], uow: UnitOfWork
) -> bool:
    """The customer confirmed: the linked ticket is asked to go COMPLETED (the ticket
    service's state machine decides); the kohub event it answers is ACKNOWLEDGED."""
    done = envelope.data
    async with uow:
        if not await uow.first_delivery(INBOUND_CONSUMER, envelope.event_id):
            return False
        record = _inbound(envelope, SyncEventStatus.PENDING)
        link = await uow.links.find(
            ticket_id=done.kohub_ticket_id,
            ticket_key=done.external_ticket_id,
            kusthub_ticket_id=done.ticket_id,
        )
        if link is None:
            record.status = SyncEventStatus.FAILED
            record.error = "No kohub ticket is linked to this KustHub ticket."
        else:
            record.ticket_id = link.ticket_id
            await uow.sync_events.acknowledge(link.ticket_id, done.in_reply_to)
            record.command_id = uow.send_command(
                TicketCommandType.COMPLETE,
                CompleteTicketCommand(
                    ticket_id=link.ticket_id,
                    reason=done.comment or "KustHub: the customer confirmed the result",
                    completed_by=done.completed_by,
                ),
                aggregate_id=str(link.ticket_id),
            )
        await uow.sync_events.add(record)
        await uow.commit()
    return True


async def record_command_outcome(
    message_id: str, outcome: TicketCommandOutcome, uow: UnitOfWork
) -> bool:
    """The ticket service's answer settles the inbound event it was sent for and the
    ticket's sync status (SYNCED when applied, FAILED with the reason when refused)."""
    async with uow:
        if not await uow.first_delivery(OUTCOMES_CONSUMER, message_id):
            return False
        record = await uow.sync_events.by_command(outcome.command_id)
        if record is not None:
            status = SyncEventStatus.ACKNOWLEDGED if outcome.accepted else SyncEventStatus.FAILED
            await uow.sync_events.settle(
                record.id, status, error=outcome.reason, ticket_id=outcome.ticket_id
            )
            if outcome.ticket_id is not None:
                await _report(uow, record, outcome)
        await uow.commit()
    return True


async def _report(uow: UnitOfWork, record: SyncEvent, outcome: TicketCommandOutcome) -> None:
    assert outcome.ticket_id is not None
    link = await uow.links.lock(outcome.ticket_id) or TicketLink(outcome.ticket_id)
    link.ticket_key = outcome.ticket_key or link.ticket_key
    if outcome.command == TicketCommandType.CREATE:
        link.kusthub_ticket_id = record.payload["data"]["ticketId"]
    if outcome.accepted:
        link.report(SyncStatus.SYNCED)
    else:
        link.report(SyncStatus.FAILED, f"{record.event_type}: {outcome.reason}")
    await uow.links.save(link)


def _inbound(envelope: Envelope[Any], status: SyncEventStatus) -> SyncEvent:
    return SyncEvent(
        id=uuid4(),
        event_id=envelope.event_id,
        event_type=envelope.event_type,
        direction=SyncDirection.INBOUND,
        payload=msgspec.to_builtins(envelope),
        status=status,
    )
