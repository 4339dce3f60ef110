"""The bridge on fakes: which ticket event KustHub hears of and with what payload, customer
requests into commands, completions, command outcomes, sync status reports."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from kohub_contracts.commands import TicketCommandOutcome, TicketCommandType
from kohub_contracts.common import Ref
from kohub_contracts.enums import (
    SyncEventStatus,
    SyncStatus,
    TicketPriority,
    TicketSource,
    TicketStatus,
)
from kohub_contracts.envelope import Envelope
from kohub_contracts.events import (
    ResolutionData,
    TicketCreated,
    TicketEscalated,
    TicketResolved,
    TicketSnapshot,
    TicketStatusChanged,
)
from kohub_contracts.kusthub import (
    CustomerRequestEvent,
    Person,
    TicketCompletedEvent,
)
from kohub_integration.application import handlers
from kohub_integration.domain.incidents import to_kusthub
from kohub_integration.domain.links import status_after_delivery

from ..fakes import FakeWorld

T0 = datetime(2026, 1, 30, 10, 15, tzinfo=UTC)
ORG = str(uuid4())


def snapshot(
    source: TicketSource = TicketSource.UPTIME_KUMA,
    status: TicketStatus = TicketStatus.NEW,
    external: str | None = None,
) -> TicketSnapshot:
    return TicketSnapshot(
        ticket_id=uuid4(),
        key="KH-2026-0001",
        organization=Ref(ORG, "A사"),
        title="[장애] web-prod-01 - Connection refused",
        description="DOWN",
        priority=TicketPriority.CRITICAL,
        status=status,
        source=source,
        created_at=T0,
        updated_at=T0,
        version=1,
        host=Ref(str(uuid4()), "web-prod-01"),
        external_system="kusthub" if external else None,
        external_ticket_id=external,
    )


def moved(ticket: TicketSnapshot, to: TicketStatus) -> TicketStatusChanged:
    return TicketStatusChanged(ticket=ticket, from_status=TicketStatus.NEW, to_status=to)


def resolved(ticket: TicketSnapshot, after: timedelta) -> TicketResolved:
    return TicketResolved(
        ticket=ticket,
        from_status=TicketStatus.IN_PROGRESS,
        resolution=ResolutionData(
            summary="nginx 재시작으로 정상화",
            resolved_at=T0 + after,
            action_taken="nginx 프로세스 재시작",
            resolved_by=Ref(str(uuid4()), "이담당"),
        ),
    )


def test_a_monitoring_ticket_becomes_an_incident_with_every_seed_field() -> None:
    ticket = snapshot()
    out = to_kusthub(TicketCreated(ticket=ticket), affected_services=[], locale="ko")
    assert out is not None and out.event_type == "incident.created"
    data = out.data
    assert (data.ticket_id, data.external_ticket_id) == (str(ticket.ticket_id), "KH-2026-0001")
    assert data.host == ticket.host and data.organization == Ref(ORG, "A사")
    assert data.estimated_impact == "서비스 접속 불가"
    assert (
        to_kusthub(
            TicketCreated(ticket=ticket), affected_services=[], locale="en"
        ).data.estimated_impact
        == "Service unavailable"
    )  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("source", "external", "created", "updated"),
    [
        (TicketSource.PROMETHEUS, None, "incident.created", "incident.updated"),
        (TicketSource.GRAFANA, None, "incident.created", "incident.updated"),
        (TicketSource.CUSTOMER_REQUEST, "kh-1", None, "incident.updated"),
        (TicketSource.MANUAL, None, None, None),
        (TicketSource.CUSTOMER_REQUEST, None, None, None),  # not from KustHub
    ],
)
def test_which_tickets_kusthub_hears_of(source, external, created, updated) -> None:
    ticket = snapshot(source, external=external)
    first = to_kusthub(TicketCreated(ticket=ticket), affected_services=[])
    later = to_kusthub(moved(ticket, TicketStatus.RECEIVED), affected_services=[])
    assert (first.event_type if first else None) == created
    assert (later.event_type if later else None) == updated


def test_resolution_carries_the_downtime_and_a_status_change_to_resolved_is_not_repeated() -> None:
    ticket = snapshot(TicketSource.CUSTOMER_REQUEST, external="kh-9")
    assert to_kusthub(moved(ticket, TicketStatus.RESOLVED), affected_services=[]) is None
    out = to_kusthub(resolved(ticket, timedelta(hours=1, minutes=15)), affected_services=[])
    assert out is not None and out.event_type == "incident.resolved"
    assert out.data.resolution.downtime == "PT1H15M"  # type: ignore[union-attr]
    assert out.data.resolution.resolved_by == "이담당"  # type: ignore[union-attr]
    assert out.data.kusthub_ticket_id == "kh-9"  # type: ignore[union-attr]


def test_an_escalation_is_mapped() -> None:
    event = TicketEscalated(
        ticket=snapshot(), level=2, reason="SLA 응답 시간 초과", escalated_at=T0,
        escalated_to=Ref(str(uuid4()), "김팀장"),
    )  # fmt: skip
    out = to_kusthub(event, affected_services=[])
    assert out is not None and out.event_type == "ticket.escalated"
    assert (out.data.level, out.data.escalated_to) == (2, "김팀장")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("failed", "retrying", "status"),
    [
        (0, False, SyncStatus.SYNCED),
        (0, True, SyncStatus.PENDING),
        (1, True, SyncStatus.FAILED),
        (1, False, SyncStatus.FAILED),
    ],
)
def test_sync_status_after_delivery(failed, retrying, status) -> None:
    assert status_after_delivery(failed=failed, retrying=retrying) is status


async def test_ticket_events_go_out_once_each_in_order() -> None:
    world, ticket = FakeWorld(), snapshot()
    first = [("m0", TicketCreated(ticket=ticket)), ("m1", moved(ticket, TicketStatus.RECEIVED))]
    assert await handlers.forward_ticket_events(first, world.uow()) == 2
    # a redelivery of m1 ahead of the next event: skipped, the next one goes out
    again = [
        ("m1", moved(ticket, TicketStatus.RECEIVED)),
        ("m2", resolved(ticket, timedelta(minutes=5))),
    ]
    assert await handlers.forward_ticket_events(again, world.uow()) == 1
    assert world.sent == ["incident.created", "incident.updated", "incident.resolved"]
    link = world.links.rows[ticket.ticket_id]
    assert (link.ticket_key, link.sync_status) == ("KH-2026-0001", SyncStatus.NONE)
    assert sorted(e.status for e in world.events.rows.values()) == [SyncEventStatus.PENDING] * 3


def request(requires: bool = True, kusthub_id: str = "kh-req-1") -> Envelope[CustomerRequestEvent]:
    return Envelope(
        str(uuid4()),
        "customer.request.created",
        T0,
        "kusthub",
        CustomerRequestEvent(
            ticket_id=kusthub_id,
            subject="서버 점검 요청",
            description="디스크 정리",
            category="maintenance",
            priority=TicketPriority.MEDIUM,
            requester=Person(id="user-1", name="홍길동", email="hong@example.com"),
            organization=Ref(ORG, "A사"),
            requires_operational_ticket=requires,
        ),
    )


async def test_a_customer_request_becomes_a_command_and_its_outcome_links_the_ticket() -> None:
    world = FakeWorld()
    envelope = request()
    assert await handlers.accept_customer_request(envelope, world.uow())
    assert not await handlers.accept_customer_request(envelope, world.uow())
    ((command_type, aggregate, command),) = world.outbox
    assert command_type == TicketCommandType.CREATE and aggregate == "kusthub:kh-req-1"
    assert command["source"] == "CUSTOMER_REQUEST" and command["externalTicketId"] == "kh-req-1"
    assert command["reporter"]["name"] == "홍길동"
    (record,) = world.events.rows.values()
    assert record.status is SyncEventStatus.PENDING and record.command_id

    ticket_id = uuid4()
    outcome = TicketCommandOutcome(
        record.command_id, TicketCommandType.CREATE, True, ticket_id=ticket_id,
        ticket_key="KH-2026-0002", status=TicketStatus.NEW,
    )  # fmt: skip
    assert await handlers.record_command_outcome("o1", outcome, world.uow())
    assert record.status is SyncEventStatus.ACKNOWLEDGED and record.ticket_id == ticket_id
    link = world.links.rows[ticket_id]
    assert (link.kusthub_ticket_id, link.sync_status) == ("kh-req-1", SyncStatus.SYNCED)
    assert world.sent[-1] == "integration.sync_changed"


async def test_a_request_that_needs_no_operations_is_recorded_only() -> None:
    world = FakeWorld()
    assert await handlers.accept_customer_request(request(requires=False), world.uow())
    assert world.outbox == []
    (record,) = world.events.rows.values()
    assert record.status is SyncEventStatus.IGNORED


async def test_completion_of_an_unknown_ticket_fails_with_the_reason() -> None:
    world = FakeWorld()
    done = Envelope(
        str(uuid4()), "ticket.completed", T0, "kusthub", TicketCompletedEvent(ticket_id="nope")
    )
    assert await handlers.accept_ticket_completed(done, world.uow())
    (record,) = world.events.rows.values()
    assert record.status is SyncEventStatus.FAILED and "No kohub ticket" in (record.error or "")
    assert world.outbox == []


async def test_a_refused_completion_marks_the_event_and_the_ticket_failed() -> None:
    world, ticket = FakeWorld(), snapshot()
    events = [("m0", TicketCreated(ticket=ticket)), ("m1", resolved(ticket, timedelta(minutes=3)))]
    await handlers.forward_ticket_events(events, world.uow())
    resolved_event = next(
        e for e in world.events.rows.values() if e.event_type == "incident.resolved"
    )
    resolved_event.status = SyncEventStatus.SENT  # the relay's confirm
    done = Envelope(
        str(uuid4()), "ticket.completed", T0, "kusthub",
        TicketCompletedEvent(ticket_id="kh-x", external_ticket_id="KH-2026-0001"),
    )  # fmt: skip
    assert await handlers.accept_ticket_completed(done, world.uow())
    assert resolved_event.status is SyncEventStatus.ACKNOWLEDGED
    command_type, _, command = world.outbox[-1]
    assert command_type == TicketCommandType.COMPLETE and command["ticketId"] == str(
        ticket.ticket_id
    )
    record = next(e for e in world.events.rows.values() if e.event_type == "ticket.completed")
    refused = TicketCommandOutcome(
        record.command_id or "", TicketCommandType.COMPLETE, False, ticket_id=ticket.ticket_id,
        status=TicketStatus.IN_PROGRESS, reason="COMPLETED is not allowed from IN_PROGRESS",
    )  # fmt: skip
    await handlers.record_command_outcome("o2", refused, world.uow())
    assert record.status is SyncEventStatus.FAILED
    link = world.links.rows[ticket.ticket_id]
    assert link.sync_status is SyncStatus.FAILED and "IN_PROGRESS" in (link.sync_reason or "")
