"""Handlers on fakes, wired through the real bootstrap()."""

from datetime import UTC, datetime
from uuid import uuid4

import msgspec
import pytest

from kohub_contracts.enums import TicketPriority, TicketSource, TicketStatus
from kohub_ticket.application import handlers
from kohub_ticket.application.actors import Actor
from kohub_ticket.application.commands import (
    AddComment,
    AssignTicket,
    AttachTerminalLog,
    ChangeStatus,
    CreateTicket,
    ResolveTicket,
    UpdateTicket,
)
from kohub_ticket.application.errors import (
    InvalidRequest,
    NotAllowed,
    StaleVersion,
    TicketNotFound,
)
from kohub_ticket.application.ports import HostRecord, UserClaims
from kohub_ticket.domain.errors import IllegalTransition

ORG, OTHER_ORG = uuid4(), uuid4()


async def _user(world, roles: set[str], org=None, name="user"):
    record = await world.users.upsert(
        UserClaims(str(uuid4()), name, None, org, frozenset(roles)), datetime.now(UTC)
    )
    return Actor(record.id, frozenset(roles), org, name)


async def _open(world, actor, **kw):
    cmd = CreateTicket(
        actor=actor,
        title=kw.pop("title", "disk full"),
        description="",
        priority=TicketPriority.HIGH,
        source=TicketSource.MANUAL,
        organization_id=kw.pop("organization_id", ORG),
        **kw,
    )
    return await handlers.create_ticket(cmd, world.service.uow(), world.service.clock)


async def test_operator_walks_a_ticket_to_closed_and_every_change_is_an_event(world) -> None:
    op = await _user(world, {"msp-operator"}, name="김운영")
    customer = await _user(world, {"customer"}, ORG)
    uow, clock = world.service.uow, world.service.clock
    ticket = await _open(world, op)
    assert ticket.key == "KH-2026-0001"
    await handlers.change_status(ChangeStatus(op, ticket.id, TicketStatus.RECEIVED), uow(), clock)
    await handlers.assign_ticket(AssignTicket(op, ticket.id, op.user_id), uow(), clock)
    await handlers.change_status(
        ChangeStatus(op, ticket.id, TicketStatus.IN_PROGRESS), uow(), clock
    )
    await handlers.add_comment(AddComment(customer, ticket.id, "still down?"), uow(), clock)
    await handlers.resolve_ticket(
        ResolveTicket(op, ticket.id, "nginx restarted", "systemctl restart nginx", None),
        uow(),
        clock,
    )
    await handlers.change_status(
        ChangeStatus(customer, ticket.id, TicketStatus.COMPLETED), uow(), clock
    )
    await handlers.change_status(ChangeStatus(op, ticket.id, TicketStatus.CLOSED), uow(), clock)
    assert world.tickets.rows[ticket.id].status is TicketStatus.CLOSED
    assert world.event_types == [
        "ticket.created",
        "ticket.status_changed",
        "ticket.assigned",
        "ticket.status_changed",
        "ticket.status_changed",
        "ticket.commented",
        "ticket.status_changed",
        "ticket.resolved",
        "ticket.status_changed",
        "ticket.status_changed",
    ]
    resolved = msgspec.json.decode(world.published[7].body)
    assert resolved["data"]["resolution"]["summary"] == "nginx restarted"
    assert resolved["data"]["resolution"]["resolvedBy"]["name"] == "김운영"
    assert resolved["data"]["ticket"]["organization"]["id"] == str(ORG)
    assert len({m.event_id for m in world.published}) == len(world.published)


async def test_staff_must_name_the_organization(world) -> None:
    op = await _user(world, {"msp-operator"})
    with pytest.raises(InvalidRequest):
        await _open(world, op, organization_id=None)


async def test_customer_ticket_belongs_to_their_organization(world) -> None:
    customer = await _user(world, {"customer"}, ORG)
    ticket = await _open(world, customer, organization_id=None)
    assert ticket.org_id == ORG and ticket.reporter_id == customer.user_id
    with pytest.raises(NotAllowed):
        await _open(world, customer, organization_id=OTHER_ORG)
    with pytest.raises(InvalidRequest):
        await handlers.create_ticket(
            CreateTicket(customer, "x", "", TicketPriority.LOW, TicketSource.PROMETHEUS),
            world.service.uow(),
            world.service.clock,
        )


async def test_caller_without_a_kohub_role_cannot_open_tickets(world) -> None:
    nobody = await _user(world, set(), ORG)
    with pytest.raises(NotAllowed):
        await _open(world, nobody, organization_id=None)


async def test_other_organization_sees_no_such_ticket(world) -> None:
    op = await _user(world, {"msp-operator"})
    stranger = await _user(world, {"customer"}, OTHER_ORG)
    ticket = await _open(world, op)
    with pytest.raises(TicketNotFound):
        await handlers.add_comment(
            AddComment(stranger, ticket.id, "hi"), world.service.uow(), world.service.clock
        )
    with pytest.raises(TicketNotFound):
        await handlers.change_status(
            ChangeStatus(stranger, uuid4(), TicketStatus.REOPENED),
            world.service.uow(),
            world.service.clock,
        )


async def test_customer_may_only_complete_or_reopen(world) -> None:
    op = await _user(world, {"msp-operator"})
    customer = await _user(world, {"customer"}, ORG)
    ticket = await _open(world, op)
    with pytest.raises(NotAllowed):
        await handlers.change_status(
            ChangeStatus(customer, ticket.id, TicketStatus.RECEIVED),
            world.service.uow(),
            world.service.clock,
        )
    with pytest.raises(IllegalTransition):  # allowed for the role, but not from NEW
        await handlers.change_status(
            ChangeStatus(customer, ticket.id, TicketStatus.COMPLETED),
            world.service.uow(),
            world.service.clock,
        )
    with pytest.raises(NotAllowed):  # COMPLETED is the customer's confirmation
        await handlers.change_status(
            ChangeStatus(op, ticket.id, TicketStatus.COMPLETED),
            world.service.uow(),
            world.service.clock,
        )


async def test_assignee_must_be_known_msp_staff(world) -> None:
    op = await _user(world, {"msp-operator"})
    customer = await _user(world, {"customer"}, ORG)
    ticket = await _open(world, op)
    await handlers.change_status(
        ChangeStatus(op, ticket.id, TicketStatus.RECEIVED), world.service.uow(), world.service.clock
    )
    for assignee in (uuid4(), customer.user_id):
        with pytest.raises(InvalidRequest):
            await handlers.assign_ticket(
                AssignTicket(op, ticket.id, assignee), world.service.uow(), world.service.clock
            )
    assert world.tickets.rows[ticket.id].status is TicketStatus.RECEIVED


async def test_stale_version_is_refused(world) -> None:
    op = await _user(world, {"msp-operator"})
    ticket = await _open(world, op)
    await handlers.update_ticket(
        UpdateTicket(op, ticket.id, 1, title="new"), world.service.uow(), world.service.clock
    )
    with pytest.raises(StaleVersion) as stale:
        await handlers.update_ticket(
            UpdateTicket(op, ticket.id, 1, title="newer"), world.service.uow(), world.service.clock
        )
    assert stale.value.current == 2
    assert world.tickets.rows[ticket.id].title == "new"


async def test_host_of_another_organization_is_refused(world) -> None:
    op = await _user(world, {"msp-operator"})
    host = HostRecord(uuid4(), OTHER_ORG, "web-prod-01", "ACTIVE")
    world.hosts.hosts[host.id] = host
    with pytest.raises(InvalidRequest):
        await _open(world, op, host_id=host.id)
    assert world.published == []


async def test_terminal_log_lands_on_the_timeline(world) -> None:
    op = await _user(world, {"msp-operator"})
    ticket = await _open(world, op)
    started = datetime(2026, 1, 30, 10, 20, tzinfo=UTC)
    await handlers.attach_terminal_log(
        AttachTerminalLog(op, ticket.id, "session-123", "uptime\ndf -h\n", started, None),
        world.service.uow(),
        world.service.clock,
    )
    kinds = [a.type.value for a in world.tickets.activities[ticket.id]]
    assert kinds == ["TERMINAL_ACCESS"]
    customer = await _user(world, {"customer"}, ORG)
    with pytest.raises(NotAllowed):
        await handlers.attach_terminal_log(
            AttachTerminalLog(customer, ticket.id, "s2", "ls", started, None),
            world.service.uow(),
            world.service.clock,
        )
