"""Commands from the KustHub bridge (queue `ticket.commands`), each answered with a
`ticket.command.outcome` in the same transaction; and the sync state the bridge reports
back (queue `ticket.sync-status`), kept on the ticket.

The bridge decides nothing about tickets: a customer's "completed" is applied when the
state machine allows it and refused with the machine's reason otherwise."""

from uuid import UUID

from kohub_contracts.commands import (
    CompleteTicketCommand,
    CreateTicketCommand,
    TicketCommandOutcome,
    TicketCommandType,
)
from kohub_contracts.enums import Role, TicketStatus
from kohub_contracts.events import TicketSyncChanged
from kohub_contracts.kusthub import Person
from kohub_ticket.application.actors import Actor
from kohub_ticket.application.errors import ApplicationError
from kohub_ticket.application.handlers import check_host
from kohub_ticket.application.ports import Clock, UnitOfWork
from kohub_ticket.domain.errors import DomainError
from kohub_ticket.domain.model import Ticket

COMMAND_CONSUMER = "ticket.commands"
SYSTEM = Actor(user_id=None, roles=frozenset({Role.INTEGRATION.value}), org_id=None)


async def create_linked_ticket(
    command_id: str, cmd: CreateTicketCommand, uow: UnitOfWork, clock: Clock
) -> TicketCommandOutcome | None:
    """A ticket linked to another system's ticket; the same link twice answers with the
    ticket it already has. None for a redelivered command."""
    async with uow:
        if not await uow.first_delivery(COMMAND_CONSUMER, command_id):
            return None
        outcome = await _create(command_id, cmd, uow, clock)
        uow.answer_command(outcome)
        await uow.commit()
    return outcome


async def _create(
    command_id: str, cmd: CreateTicketCommand, uow: UnitOfWork, clock: Clock
) -> TicketCommandOutcome:
    def refused(reason: str) -> TicketCommandOutcome:
        return TicketCommandOutcome(command_id, TicketCommandType.CREATE, False, reason=reason)

    linked = await uow.tickets.find_linked(cmd.external_system, cmd.external_ticket_id)
    if linked is not None:
        return _accepted(command_id, TicketCommandType.CREATE, linked, "already linked")
    org_id = _uuid(cmd.organization.id)
    if org_id is None:
        return refused(f"The organization id {cmd.organization.id!r} is not a UUID.")
    try:
        await check_host(uow, cmd.host_id, org_id, SYSTEM)
        reporter = await _person(uow, cmd.reporter, org_id)
        ticket = Ticket.open(
            key="",
            org_id=org_id,
            title=cmd.title,
            description=cmd.description,
            priority=cmd.priority,
            source=cmd.source,
            at=clock(),
            reporter_id=reporter,
            host_id=cmd.host_id,
            external_system=cmd.external_system,
            external_ticket_id=cmd.external_ticket_id,
        )
    except (ApplicationError, DomainError) as exc:
        return refused(str(exc))
    await uow.hosts.put_organization_name(org_id, cmd.organization.name)
    await uow.tickets.add(ticket)
    return _accepted(command_id, TicketCommandType.CREATE, ticket)


async def complete_ticket(
    command_id: str, cmd: CompleteTicketCommand, uow: UnitOfWork, clock: Clock
) -> TicketCommandOutcome | None:
    """RESOLVED → COMPLETED on the customer's word; any other state is refused with the
    state machine's reason. None for a redelivered command."""
    async with uow:
        if not await uow.first_delivery(COMMAND_CONSUMER, command_id):
            return None
        ticket = await uow.tickets.get(cmd.ticket_id, for_update=True)
        if ticket is None:
            outcome = TicketCommandOutcome(
                command_id, TicketCommandType.COMPLETE, False, reason="No such ticket."
            )
        else:
            try:
                actor_id = await _person(uow, cmd.completed_by, ticket.org_id)
                ticket.move_to(
                    TicketStatus.COMPLETED, actor_id=actor_id, at=clock(), reason=cmd.reason
                )
            except (ApplicationError, DomainError) as exc:
                outcome = _refused_for(command_id, ticket, str(exc))
            else:
                await uow.tickets.save(ticket)
                outcome = _accepted(command_id, TicketCommandType.COMPLETE, ticket)
        uow.answer_command(outcome)
        await uow.commit()
    return outcome


async def record_sync_state(change: TicketSyncChanged, uow: UnitOfWork) -> bool:
    """Keep the ticket's sync status and link; an older report (lower sequence) or one
    about an unknown ticket changes nothing. Idempotent by the sequence, so no inbox."""
    async with uow:
        applied = await uow.tickets.set_sync_state(change)
        await uow.commit()
    return applied


def _accepted(
    command_id: str, command: str, ticket: Ticket, reason: str | None = None
) -> TicketCommandOutcome:
    return TicketCommandOutcome(
        command_id,
        command,
        True,
        ticket_id=ticket.id,
        ticket_key=ticket.key,
        status=ticket.status,
        reason=reason,
    )


def _refused_for(command_id: str, ticket: Ticket, reason: str) -> TicketCommandOutcome:
    return TicketCommandOutcome(
        command_id,
        TicketCommandType.COMPLETE,
        False,
        ticket_id=ticket.id,
        ticket_key=ticket.key,
        status=ticket.status,
        reason=reason,
    )


async def _person(uow: UnitOfWork, person: Person | None, org_id: UUID) -> UUID | None:
    """The user row of a person KustHub names (Keycloak is both systems' master)."""
    if person is None:
        return None
    return await uow.users.ensure(person.id, person.name, person.email, org_id)


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
