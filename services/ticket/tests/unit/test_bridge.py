"""The KustHub bridge's commands: a linked ticket opened once, COMPLETED only from RESOLVED
(the state machine's reason otherwise), and sync reports applied in sequence order."""

from datetime import UTC, datetime
from uuid import uuid4

import msgspec

from kohub_contracts.commands import (
    CompleteTicketCommand,
    CreateTicketCommand,
    TicketCommandOutcome,
)
from kohub_contracts.common import Ref
from kohub_contracts.enums import SyncStatus, TicketPriority, TicketSource, TicketStatus
from kohub_contracts.envelope import decode_envelope
from kohub_contracts.events import TicketSyncChanged
from kohub_contracts.kusthub import Person
from kohub_ticket.application import bridge

ORG = uuid4()


def create_command(kusthub_id: str = "kh-req-1", org: str | None = None) -> CreateTicketCommand:
    return CreateTicketCommand(
        title="서버 점검 요청",
        description="web-prod-01 디스크 정리",
        priority=TicketPriority.MEDIUM,
        source=TicketSource.CUSTOMER_REQUEST,
        organization=Ref(id=org or str(ORG), name="A사"),
        external_system="kusthub",
        external_ticket_id=kusthub_id,
        reporter=Person(id="kc-user-1", name="홍길동", email="hong@example.com"),
    )


def outcomes(world) -> list[TicketCommandOutcome]:
    return [
        decode_envelope(m.body, TicketCommandOutcome).data
        for m in world.published
        if m.event_type == "ticket.command.outcome"
    ]


async def test_a_customer_request_opens_one_linked_ticket(world) -> None:
    svc = world.service
    first = await bridge.create_linked_ticket("cmd-1", create_command(), svc.uow(), svc.clock)
    assert first is not None and first.accepted
    ticket = world.tickets.rows[first.ticket_id]
    assert (ticket.source, ticket.status) == (TicketSource.CUSTOMER_REQUEST, TicketStatus.NEW)
    assert (ticket.external_system, ticket.external_ticket_id) == ("kusthub", "kh-req-1")
    assert ticket.sync_status is SyncStatus.PENDING
    reporter = world.users.users[ticket.reporter_id]
    assert (reporter.keycloak_id, reporter.name) == ("kc-user-1", "홍길동")
    assert world.event_types == ["ticket.created", "ticket.command.outcome"]

    # the same command again: nothing; the same KustHub ticket in a new command: its ticket
    assert (
        await bridge.create_linked_ticket("cmd-1", create_command(), svc.uow(), svc.clock) is None
    )
    again = await bridge.create_linked_ticket("cmd-2", create_command(), svc.uow(), svc.clock)
    assert again is not None and again.accepted and again.ticket_id == first.ticket_id
    assert len(world.tickets.rows) == 1
    assert [o.command_id for o in outcomes(world)] == ["cmd-1", "cmd-2"]


async def test_an_organization_that_is_not_a_uuid_is_refused_with_the_reason(world) -> None:
    svc = world.service
    outcome = await bridge.create_linked_ticket(
        "cmd-1", create_command(org="org-uuid"), svc.uow(), svc.clock
    )
    assert outcome is not None and not outcome.accepted
    assert "not a UUID" in (outcome.reason or "")
    assert world.tickets.rows == {}
    assert world.event_types == ["ticket.command.outcome"]  # the answer still goes out


async def test_completed_applies_only_to_a_resolved_ticket(world) -> None:
    svc = world.service
    created = await bridge.create_linked_ticket("c", create_command(), svc.uow(), svc.clock)
    assert created is not None and created.ticket_id is not None
    complete = CompleteTicketCommand(
        ticket_id=created.ticket_id, completed_by=Person(id="kc-user-1", name="홍길동")
    )

    refused = await bridge.complete_ticket("done-1", complete, svc.uow(), svc.clock)
    assert refused is not None and not refused.accepted
    assert refused.status is TicketStatus.NEW
    assert "COMPLETED" in (refused.reason or "")

    ticket = world.tickets.rows[created.ticket_id]
    ticket.status = TicketStatus.RESOLVED
    applied = await bridge.complete_ticket("done-2", complete, svc.uow(), svc.clock)
    assert applied is not None and applied.accepted and applied.status is TicketStatus.COMPLETED
    assert world.tickets.rows[created.ticket_id].status is TicketStatus.COMPLETED
    assert await bridge.complete_ticket("done-2", complete, svc.uow(), svc.clock) is None


async def test_completing_an_unknown_ticket_is_refused(world) -> None:
    svc = world.service
    outcome = await bridge.complete_ticket(
        "x", CompleteTicketCommand(ticket_id=uuid4()), svc.uow(), svc.clock
    )
    assert outcome is not None and not outcome.accepted and outcome.reason == "No such ticket."


async def test_sync_reports_apply_in_sequence_order(world) -> None:
    svc = world.service
    created = await bridge.create_linked_ticket("c", create_command(), svc.uow(), svc.clock)
    assert created is not None and created.ticket_id is not None
    at = datetime(2026, 1, 30, tzinfo=UTC)

    def report(seq: int, status: SyncStatus) -> TicketSyncChanged:
        return TicketSyncChanged(
            ticket_id=created.ticket_id, sync_status=status, sequence=seq, changed_at=at
        )

    assert await bridge.record_sync_state(report(2, SyncStatus.SYNCED), svc.uow())
    assert not await bridge.record_sync_state(report(1, SyncStatus.FAILED), svc.uow())
    ticket = world.tickets.rows[created.ticket_id]
    assert ticket.sync_status is SyncStatus.SYNCED
    assert ticket.external_ticket_id == "kh-req-1"  # a report without a link keeps it
    assert msgspec.json.encode(report(3, SyncStatus.FAILED))  # the contract encodes
