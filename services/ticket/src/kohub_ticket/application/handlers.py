"""One async function per command. Each loads what it needs through the unit of work,
asks the aggregate to change, and commits; the unit of work writes the outbox."""

from collections.abc import Sequence
from uuid import UUID, uuid4

from kohub_contracts.enums import TicketSource, TicketStatus
from kohub_ticket.application.actors import Actor
from kohub_ticket.application.commands import (
    AddComment,
    AssignTicket,
    AttachTerminalLog,
    ChangeStatus,
    CreateTicket,
    RecordTerminalOpened,
    ResolveTicket,
    UpdateTicket,
)
from kohub_ticket.application.errors import (
    InvalidRequest,
    NotAllowed,
    StaleVersion,
    TicketNotFound,
)
from kohub_ticket.application.ports import Clock, HostRecord, UnitOfWork
from kohub_ticket.domain.model import Ticket
from kohub_ticket.domain.records import TerminalLog


async def create_ticket(cmd: CreateTicket, uow: UnitOfWork, clock: Clock) -> Ticket:
    actor = cmd.actor
    org_id = _organization_for_new_ticket(cmd)
    now = clock()
    async with uow:
        await check_host(uow, cmd.host_id, org_id, actor)
        ticket = Ticket.open(
            key="",  # numbered by the repository when stored
            org_id=org_id,
            title=cmd.title,
            description=cmd.description,
            priority=cmd.priority,
            source=cmd.source,
            at=now,
            reporter_id=actor.user_id,
            host_id=cmd.host_id,
            source_event_id=cmd.source_event_id,
            external_system=cmd.external_system,
            external_ticket_id=cmd.external_ticket_id,
        )
        await uow.tickets.add(ticket)
        await uow.commit()
    return ticket


def _organization_for_new_ticket(cmd: CreateTicket) -> UUID:
    actor = cmd.actor
    if actor.is_operator or actor.is_system:
        if cmd.organization_id is None:
            raise InvalidRequest("organizationId is required when MSP staff open a ticket.")
        return cmd.organization_id
    if not actor.is_customer or actor.org_id is None:
        raise NotAllowed("Only MSP staff and customers of an organization open tickets.")
    if cmd.organization_id not in (None, actor.org_id):
        raise NotAllowed("Customers open tickets for their own organization only.")
    if cmd.source is not TicketSource.MANUAL:
        raise InvalidRequest("Customers open MANUAL tickets only.")
    return actor.org_id


async def update_ticket(cmd: UpdateTicket, uow: UnitOfWork, clock: Clock) -> Ticket:
    async with uow:
        ticket = await _load(uow, cmd.ticket_id, cmd.actor, cmd.expected_version)
        _require_operator(cmd.actor)
        await check_host(uow, cmd.host_id, ticket.org_id, cmd.actor)
        changed = ticket.edit(
            actor_id=cmd.actor.user_id,
            at=clock(),
            title=cmd.title,
            description=cmd.description,
            priority=cmd.priority,
            host_id=cmd.host_id,
            clear_host=cmd.clear_host,
        )
        if changed:
            await uow.tickets.save(ticket)
            await uow.commit()
    return ticket


async def change_status(cmd: ChangeStatus, uow: UnitOfWork, clock: Clock) -> Ticket:
    async with uow:
        ticket = await _load(uow, cmd.ticket_id, cmd.actor, cmd.expected_version)
        if not cmd.actor.may_move_to(cmd.to_status):
            raise NotAllowed(f"Your roles do not allow moving a ticket to {cmd.to_status.value}.")
        ticket.move_to(cmd.to_status, actor_id=cmd.actor.user_id, at=clock(), reason=cmd.reason)
        await uow.tickets.save(ticket)
        await uow.commit()
    return ticket


async def assign_ticket(cmd: AssignTicket, uow: UnitOfWork, clock: Clock) -> Ticket:
    async with uow:
        ticket = await _load(uow, cmd.ticket_id, cmd.actor, cmd.expected_version)
        _require_operator(cmd.actor)
        assignee = await uow.users.get(cmd.assignee_id)
        if assignee is None:
            raise InvalidRequest("The assignee is not a known user.")
        if not Actor(assignee.id, assignee.roles, assignee.org_id).is_operator:
            raise InvalidRequest("Tickets are assigned to MSP staff (msp-operator or msp-admin).")
        ticket.assign(cmd.assignee_id, actor_id=cmd.actor.user_id, at=clock(), reason=cmd.reason)
        await uow.tickets.save(ticket)
        await uow.commit()
    return ticket


async def resolve_ticket(cmd: ResolveTicket, uow: UnitOfWork, clock: Clock) -> Ticket:
    async with uow:
        ticket = await _load(uow, cmd.ticket_id, cmd.actor, cmd.expected_version)
        if not cmd.actor.may_move_to(TicketStatus.RESOLVED):
            raise NotAllowed("Your roles do not allow resolving tickets.")
        ticket.resolve(
            summary=cmd.summary,
            action_taken=cmd.action_taken,
            ai_suggestion_used=cmd.ai_suggestion_used,
            actor_id=cmd.actor.user_id,
            at=clock(),
        )
        await uow.tickets.save(ticket)
        await uow.commit()
    return ticket


async def add_comment(cmd: AddComment, uow: UnitOfWork, clock: Clock) -> UUID:
    async with uow:
        ticket = await _load(uow, cmd.ticket_id, cmd.actor, None)
        comment_id = ticket.comment(cmd.content, actor_id=cmd.actor.user_id, at=clock())
        await uow.tickets.save(ticket)
        await uow.commit()
    return comment_id


async def attach_terminal_log(cmd: AttachTerminalLog, uow: UnitOfWork, clock: Clock) -> UUID:
    return (await attach_terminal_logs([cmd], uow, clock))[0]


async def attach_terminal_logs(
    cmds: Sequence[AttachTerminalLog], uow: UnitOfWork, clock: Clock
) -> list[UUID]:
    """Several sessions of one ticket in one transaction: all stored, or none."""
    if not cmds:
        return []
    first = cmds[0]
    async with uow:
        ticket = await _load(uow, first.ticket_id, first.actor, None)
        _require_operator(first.actor)
        at = clock()
        ids = []
        for cmd in cmds:
            log = TerminalLog(
                uuid4(),
                cmd.session_id,
                cmd.actor.user_id,
                cmd.host_id,
                cmd.command_log,
                cmd.started_at,
                cmd.ended_at,
                source=cmd.source,
                commands=cmd.commands,
                command_source=cmd.command_source,
                redactions=cmd.redactions,
                cast=cmd.cast,
            )
            ids.append(ticket.attach_terminal_log(log, at=at).id)
        await uow.tickets.save(ticket)
        await uow.commit()
    return ids


async def record_terminal_opened(cmd: RecordTerminalOpened, uow: UnitOfWork, clock: Clock) -> UUID:
    async with uow:
        ticket = await _load(uow, cmd.ticket_id, cmd.actor, None)
        _require_operator(cmd.actor)
        activity_id = ticket.record_terminal_opened(
            host_id=cmd.host_id,
            host_name=cmd.host_name,
            termix_host_id=cmd.termix_host_id,
            actor_id=cmd.actor.user_id,
            at=clock(),
        )
        await uow.tickets.save(ticket)
        await uow.commit()
    return activity_id


async def _load(
    uow: UnitOfWork, ticket_id: UUID, actor: Actor, expected_version: int | None
) -> Ticket:
    ticket = await uow.tickets.get(ticket_id, for_update=True)
    if ticket is None or not actor.can_see(ticket.org_id):
        raise TicketNotFound()
    if expected_version is not None and expected_version != ticket.version:
        raise StaleVersion(ticket.version)
    return ticket


async def check_host(uow: UnitOfWork, host_id: UUID | None, org_id: UUID, actor: Actor) -> None:
    """The host must be the organization's. Another organization's host and an unknown one
    get the same answer; MSP staff may name a host the host service has not announced yet."""
    if host_id is None:
        return
    host = await uow.hosts.get(host_id)
    staff = actor.is_operator or actor.is_system
    if (host is None and not staff) or (host is not None and host.org_id != org_id):
        raise InvalidRequest("No such host in this organization.")


def _require_operator(actor: Actor) -> None:
    if not (actor.is_operator or actor.is_system):
        raise NotAllowed("Only MSP staff may do this.")


REFERENCE_CONSUMER = "ticket.references"


async def record_host_reference(
    message_id: str, host: HostRecord, version: int, uow: UnitOfWork
) -> bool:
    """Keep the host's name and status for ticket lists and events (from host.* events)."""
    async with uow:
        if not await uow.first_delivery(REFERENCE_CONSUMER, message_id):
            return False
        await uow.hosts.put(host, version)
        await uow.commit()
    return True


async def record_organization_reference(
    message_id: str, org_id: UUID, name: str | None, uow: UnitOfWork
) -> bool:
    async with uow:
        if not await uow.first_delivery(REFERENCE_CONSUMER, message_id):
            return False
        await uow.hosts.put_organization(org_id, name)
        await uow.commit()
    return True
