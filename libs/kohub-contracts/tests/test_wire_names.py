"""The field names on the wire are those of seed §3.2 and §4.2, camelCase."""

from datetime import UTC, datetime
from uuid import uuid4

import msgspec
import pytest

from kohub_contracts.common import Ref
from kohub_contracts.enums import TicketPriority, TicketSource, TicketStatus
from kohub_contracts.envelope import Envelope, decode_envelope, encode
from kohub_contracts.events import TicketCreated, TicketSnapshot
from kohub_contracts.tickets import (
    TicketCreateRequest,
    TicketResolveRequest,
    TicketTransitionRequest,
)


def test_create_request_reads_the_seed_example() -> None:
    body = (
        b'{"title":"\xec\x84\x9c\xeb\xb2\x84 \xec\x9d\x91\xeb\x8b\xb5 \xec\xa7\x80\xec\x97\xb0",'
        b'"description":"slow","hostId":"6f1c2a52-6f55-4f43-a6f3-0c7f3e0f6a11",'
        b'"priority":"HIGH","source":"MANUAL"}'
    )
    req = msgspec.json.decode(body, type=TicketCreateRequest)
    assert req.title == "서버 응답 지연"
    assert req.priority is TicketPriority.HIGH
    assert str(req.host_id) == "6f1c2a52-6f55-4f43-a6f3-0c7f3e0f6a11"


def test_transition_and_resolve_field_names() -> None:
    t = msgspec.json.decode(
        b'{"toStatus":"IN_PROGRESS","reason":"x"}', type=TicketTransitionRequest
    )
    assert t.to_status is TicketStatus.IN_PROGRESS
    r = msgspec.json.decode(
        b'{"summary":"s","actionTaken":"a","aiSuggestionUsed":{"suggestionId":"ai-123","applied":true}}',
        type=TicketResolveRequest,
    )
    assert r.ai_suggestion_used == {"suggestionId": "ai-123", "applied": True}


@pytest.mark.parametrize(
    "body",
    [
        b'{"title":""}',
        b'{"title":"x","priority":"URGENT"}',
        b'{"title":"x","hostId":"not-a-uuid"}',
        b'{"title":"x","unknownField":1}',
        b'{"title":' + b'"' + b"x" * 201 + b'"}',
    ],
)
def test_bad_create_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(body, type=TicketCreateRequest)


def test_envelope_round_trip_uses_seed_names() -> None:
    now = datetime(2026, 1, 30, 10, 15, tzinfo=UTC)
    snapshot = TicketSnapshot(
        ticket_id=uuid4(),
        key="KH-2026-0001",
        organization=Ref(id="org-1", name="A사"),
        title="t",
        description="d",
        priority=TicketPriority.CRITICAL,
        status=TicketStatus.NEW,
        source=TicketSource.UPTIME_KUMA,
        created_at=now,
        updated_at=now,
        version=1,
    )
    env = Envelope(
        event_id="e-1",
        event_type="ticket.created",
        timestamp=now,
        source="kohub.ticket",
        data=TicketCreated(ticket=snapshot),
    )
    raw = msgspec.json.decode(encode(env))
    assert set(raw) == {"eventId", "eventType", "timestamp", "source", "data"}
    assert raw["data"]["ticket"]["externalTicketId"] is None
    assert decode_envelope(encode(env), TicketCreated).data.ticket.key == "KH-2026-0001"
