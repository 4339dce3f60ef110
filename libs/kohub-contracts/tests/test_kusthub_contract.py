"""The KustHub contract reads and writes the seed §4.2 examples field for field."""

import json
from datetime import UTC, datetime

import msgspec
import pytest

from kohub_contracts.common import Ref
from kohub_contracts.enums import TicketPriority, TicketSource
from kohub_contracts.envelope import Envelope, decode_envelope, encode
from kohub_contracts.kusthub import (
    CustomerRequestEvent,
    IncidentCreatedEvent,
    IncidentResolvedEvent,
    ResolutionInfo,
    TicketCompletedEvent,
    validate_event_data,
)

SEED_CUSTOMER_REQUEST = {
    "eventId": "evt-uuid",
    "eventType": "customer.request.created",
    "timestamp": "2026-01-30T09:00:00Z",
    "source": "kusthub",
    "data": {
        "ticketId": "kusthub-ticket-uuid",
        "subject": "서버 점검 요청",
        "description": "web-prod-01 서버 디스크 정리 요청",
        "category": "maintenance",
        "priority": "MEDIUM",
        "requester": {"id": "user-uuid", "name": "홍길동", "email": "hong@example.com"},
        "organization": {"id": "org-uuid", "name": "A사"},
        "requiresOperationalTicket": True,
    },
}
SEED_CREATED_KEYS = {
    "ticketId", "externalTicketId", "title", "description", "priority", "source", "host",
    "organization", "affectedServices", "estimatedImpact",
}  # fmt: skip
SEED_RESOLVED_KEYS = {"ticketId", "externalTicketId", "title", "resolution", "organization"}


def test_customer_request_reads_the_seed_example() -> None:
    envelope = decode_envelope(json.dumps(SEED_CUSTOMER_REQUEST).encode(), CustomerRequestEvent)
    data = envelope.data
    assert data.ticket_id == "kusthub-ticket-uuid"
    assert data.requester.name == "홍길동"
    assert data.requires_operational_ticket is True
    assert data.priority is TicketPriority.MEDIUM
    assert envelope.timestamp == datetime(2026, 1, 30, 9, tzinfo=UTC)


def test_incident_created_writes_every_seed_field() -> None:
    event = IncidentCreatedEvent(
        ticket_id="t",
        external_ticket_id="KH-2026-0001",
        title="[장애] web-prod-01 - Connection refused",
        description="...",
        priority=TicketPriority.CRITICAL,
        source=TicketSource.UPTIME_KUMA,
        host=Ref(id="h", name="web-prod-01"),
        organization=Ref(id="o", name="A사"),
        affected_services=["웹 서비스"],
        estimated_impact="서비스 접속 불가",
    )
    wire = json.loads(encode(event))
    assert set(wire) >= SEED_CREATED_KEYS
    assert wire["host"] == {"id": "h", "name": "web-prod-01"}


def test_incident_resolved_writes_every_seed_field() -> None:
    event = IncidentResolvedEvent(
        ticket_id="t",
        external_ticket_id="KH-2026-0001",
        title="x",
        organization=Ref(id="o", name="A사"),
        resolution=ResolutionInfo(
            summary="nginx 재시작으로 정상화",
            action_taken="nginx 프로세스 재시작",
            resolved_by="이담당",
            resolved_at=datetime(2026, 1, 30, 11, 30, tzinfo=UTC),
            downtime="PT1H15M",
        ),
    )
    wire = json.loads(
        encode(Envelope("e", "incident.resolved", event.resolution.resolved_at, "kohub", event))
    )
    assert set(wire) == {"eventId", "eventType", "timestamp", "source", "data"}
    assert set(wire["data"]) >= SEED_RESOLVED_KEYS
    assert set(wire["data"]["resolution"]) == {
        "summary", "actionTaken", "resolvedBy", "resolvedAt", "downtime",
    }  # fmt: skip
    assert wire["timestamp"] == "2026-01-30T11:30:00Z"


def test_validate_event_data_reads_parsed_json() -> None:
    data = validate_event_data("ticket.completed", {"ticketId": "k-1", "satisfaction": 5})
    assert isinstance(data, TicketCompletedEvent)
    assert data.satisfaction == 5


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("ticket.completed", {"ticketId": "k-1", "satisfaction": 9}),
        ("customer.request.created", {"ticketId": "k-1"}),
        ("ticket.completed", {"ticketId": ""}),
    ],
)
def test_validate_event_data_refuses_wrong_shapes(event_type: str, data: dict) -> None:
    with pytest.raises(msgspec.ValidationError):
        validate_event_data(event_type, data)


def test_validate_event_data_refuses_unknown_types() -> None:
    with pytest.raises(KeyError):
        validate_event_data("incident.deleted", {})
