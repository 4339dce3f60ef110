"""The bridge on the real broker and database: ticket events out to kusthub.events (SENT on
the confirm, the ticket reported SYNCED), KustHub's requests in as commands, outcomes
settling them, poison messages kept as dead letters, and the internal API's roles."""

import shutil
import subprocess
import urllib.parse
import uuid
from datetime import UTC, datetime

import jsonschema
import msgspec

from kohub_contracts.commands import TicketCommandOutcome, TicketCommandType
from kohub_contracts.common import Ref
from kohub_contracts.enums import TicketPriority, TicketStatus
from kohub_contracts.events import ResolutionData, TicketCreated, TicketResolved
from kohub_contracts.kusthub import CustomerRequestEvent, Person
from kohub_contracts.schemas import schema_of
from kohub_platform.testing import eventually

from .conftest import auth, publish, snapshot, tap

KOHUB, KUSTHUB = "kohub.events", "kusthub.events"


async def sync_of(client, oidc, ticket_id, *, until) -> dict:
    async def check():
        r = await client.get(
            f"/api/internal/tickets/{ticket_id}/sync", headers=auth(oidc, "kohub-integration")
        )
        return r.json() if r.status_code == 200 and until(r.json()) else None

    # generous: the first event also waits for the consumer to start on a loaded machine
    return await eventually(check, timeout=45)


async def test_a_monitoring_ticket_reaches_kusthub_and_is_reported_synced(
    client, oidc, channel
) -> None:
    kusthub = await tap(channel, KUSTHUB, "incident.*")
    reports = await tap(channel, KOHUB, "integration.sync_changed")
    ticket = snapshot()
    first = await publish(
        channel, KOHUB, "ticket.created", TicketCreated(ticket=ticket), source="kohub.ticket"
    )
    resolved = TicketResolved(
        ticket=msgspec.structs.replace(ticket, status=TicketStatus.RESOLVED, version=5),
        from_status=TicketStatus.IN_PROGRESS,
        resolution=ResolutionData(
            summary="nginx 재시작으로 정상화",
            resolved_at=datetime.now(UTC),
            action_taken="nginx 프로세스 재시작",
            resolved_by=Ref(str(uuid.uuid4()), "이담당"),
        ),
    )
    await publish(channel, KOHUB, "ticket.resolved", resolved, source="kohub.ticket")
    await publish(
        channel,
        KOHUB,
        "ticket.created",
        TicketCreated(ticket=ticket),
        source="kohub.ticket",
        event_id=first,
    )

    state = await sync_of(
        client, oidc, ticket.ticket_id,
        until=lambda s: s["syncStatus"] == "SYNCED" and [e["status"] for e in s["events"]] == ["SENT", "SENT"],
    )  # fmt: skip
    assert [e["eventType"] for e in state["events"]] == ["incident.created", "incident.resolved"]
    mine = await eventually(
        received(kusthub, lambda m: m["data"]["ticketId"] == str(ticket.ticket_id), count=2)
    )
    assert [m["eventType"] for m in mine] == ["incident.created", "incident.resolved"]
    for message in mine:
        jsonschema.validate(message, schema_of(f"KustHub[{message['eventType']}]"))
        assert message["source"] == "kohub"
    created, done = mine
    assert created["data"]["externalTicketId"] == ticket.key
    assert created["data"]["host"] == {"id": ticket.host.id, "name": "web-prod-01"}  # type: ignore[union-attr]
    assert done["data"]["resolution"]["resolvedBy"] == "이담당"
    assert done["data"]["resolution"]["downtime"].startswith("PT1H15M")
    assert [e["eventId"] for e in state["events"]] == [m["eventId"] for m in mine]

    (report,) = await eventually(
        received(reports, lambda r: r["data"]["ticketId"] == str(ticket.ticket_id))
    )
    assert report["data"]["syncStatus"] == "SYNCED" and report["data"]["sequence"] == 1


def received(messages: list[dict], wanted, count: int = 1):
    """A check for `eventually`: the first `count` messages matching `wanted`."""

    async def check():
        found = [m for m in messages if wanted(m)]
        return found[:count] if len(found) >= count else None

    return check


async def test_a_customer_request_becomes_a_command_and_its_outcome_settles_it(
    client, oidc, channel
) -> None:
    commands = await tap(channel, KOHUB, "ticket.command.*")
    kusthub_id = f"kh-{uuid.uuid4().hex[:8]}"
    request = CustomerRequestEvent(
        ticket_id=kusthub_id,
        subject="서버 점검 요청",
        description="web-prod-01 디스크 정리",
        category="maintenance",
        priority=TicketPriority.MEDIUM,
        requester=Person(id=str(uuid.uuid4()), name="홍길동", email="hong@example.com"),
        organization=Ref(str(uuid.uuid4()), "A사"),
        requires_operational_ticket=True,
    )
    await publish(channel, KUSTHUB, "customer.request.created", request, source="kusthub")
    (command,) = await eventually(
        received(commands, lambda c: c["data"].get("externalTicketId") == kusthub_id)
    )
    assert command["eventType"] == TicketCommandType.CREATE
    assert command["data"]["source"] == "CUSTOMER_REQUEST"
    ticket_id = uuid.uuid4()
    outcome = TicketCommandOutcome(
        command["eventId"], TicketCommandType.CREATE, True, ticket_id=ticket_id,
        ticket_key="KH-2026-9999", status=TicketStatus.NEW,
    )  # fmt: skip
    await publish(channel, KOHUB, "ticket.command.outcome", outcome, source="kohub.ticket")
    state = await sync_of(client, oidc, ticket_id, until=lambda s: s["syncStatus"] == "SYNCED")
    assert state["externalTicketId"] == kusthub_id and state["ticketKey"] == "KH-2026-9999"
    (inbound,) = state["events"]
    assert (inbound["direction"], inbound["status"]) == ("INBOUND", "ACKNOWLEDGED")


async def test_poison_and_malformed_messages_are_kept_as_dead_letters(
    client, oidc, channel
) -> None:
    headers = auth(oidc, "kohub-integration")
    garbage = await publish(
        channel, KUSTHUB, "ticket.completed", None, source="kusthub", body=b"{not json"
    )
    # valid by the contract, but PostgreSQL refuses \u0000 in JSON text: fails every time
    poison = CustomerRequestEvent(
        ticket_id=f"kh-{uuid.uuid4().hex[:8]}", subject="poison", description="nul \u0000 byte",
        category=None, priority=TicketPriority.LOW, requester=Person(id="u"),
        organization=Ref(str(uuid.uuid4())), requires_operational_ticket=False,
    )  # fmt: skip
    poisoned = await publish(channel, KUSTHUB, "customer.request.created", poison, source="kusthub")

    async def kept():
        r = await client.get(
            "/api/internal/dead-letters?queue=integration.kusthub-inbound", headers=headers
        )
        items = {i["messageId"]: i for i in r.json()["items"]}
        return items if garbage in items and poisoned in items else None

    letters = await eventually(kept, timeout=60)
    assert letters[garbage]["reason"].startswith("malformed")
    assert letters[garbage]["routingKey"] == "ticket.completed"
    assert letters[poisoned]["reason"].startswith("failed 6 deliveries")
    assert letters[poisoned]["deliveries"] == 6
    assert letters[poisoned]["exchange"] == KUSTHUB

    r = await client.post(
        f"/api/internal/dead-letters/{letters[garbage]['id']}/replay", headers=headers
    )
    assert r.status_code == 202 and r.json()["replayedAt"]


async def test_internal_api_is_for_service_accounts(client, oidc) -> None:
    path = f"/api/internal/tickets/{uuid.uuid4()}/sync"
    assert (await client.get(path)).status_code == 401
    for role in ("msp-operator", "customer", "customer-admin"):
        r = await client.get(path, headers=auth(oidc, role))
        assert r.status_code == 403 and r.headers["content-type"].startswith(
            "application/problem+json"
        )
    assert (await client.get(path, headers=auth(oidc, "kohub-integration"))).status_code == 404


async def test_publish_validates_against_the_contract(client, oidc, channel) -> None:
    headers = auth(oidc, "kohub-integration")
    kusthub = await tap(channel, KUSTHUB, "incident.updated")
    bad = {"event": {"eventType": "incident.updated", "data": {"ticketId": "x"}}}
    r = await client.post("/api/internal/events/publish", json=bad, headers=headers)
    assert r.status_code == 422 and "incident.updated" in r.json()["detail"]
    r = await client.post(
        "/api/internal/events/publish",
        json={"event": {"eventType": "nope", "data": {}}},
        headers=headers,
    )
    assert r.status_code == 422
    r = await client.post("/api/internal/events/publish", json={}, headers=headers)
    assert r.status_code == 422

    ticket_id = str(uuid.uuid4())
    data = {
        "ticketId": ticket_id, "externalTicketId": "KH-2026-0042", "title": "t",
        "status": "IN_PROGRESS", "previousStatus": "ASSIGNED", "priority": "HIGH",
        "source": "PROMETHEUS", "organization": {"id": str(uuid.uuid4()), "name": "A사"},
        "updatedAt": datetime.now(UTC).isoformat(),
    }  # fmt: skip
    given = {
        "event": {"eventType": "incident.updated", "eventId": f"evt-{ticket_id}", "data": data}
    }
    r = await client.post("/api/internal/events/publish", json=given, headers=headers)
    assert r.status_code == 202, r.text
    accepted = r.json()
    assert accepted["eventId"] == f"evt-{ticket_id}" and accepted["syncEventId"]
    await eventually(received(kusthub, lambda m: m["eventId"] == f"evt-{ticket_id}"))

    # the stored event again: same eventId, SENT once more
    r = await client.post(
        "/api/internal/events/publish",
        json={"syncEventId": accepted["syncEventId"]},
        headers=headers,
    )
    assert r.status_code == 202 and r.json()["eventId"] == f"evt-{ticket_id}"
    await eventually(received(kusthub, lambda m: m["eventId"] == f"evt-{ticket_id}", count=2))
    state = await sync_of(
        client, oidc, ticket_id, until=lambda s: s["events"][0]["status"] == "SENT"
    )
    assert len(state["events"]) == 1
    r = await client.post(
        "/api/internal/events/publish", json={"syncEventId": str(uuid.uuid4())}, headers=headers
    )
    assert r.status_code == 404


async def test_ticket_events_have_a_single_active_consumer(client, amqp_url) -> None:
    """KustHub hears a ticket's changes in order only if nothing overtakes: one consumer at a
    time (others stand by), which handles them in delivery order (kohub_platform.ordered)."""
    vhost = urllib.parse.unquote(amqp_url.rsplit("/", 1)[1])
    rabbitmqctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"

    def listed(*args: str) -> list[list[str]]:
        out = subprocess.run(  # noqa: S603
            [rabbitmqctl, "-q", *args, "-p", vhost], capture_output=True, text=True,
            check=True, timeout=60,
        ).stdout  # fmt: skip
        return [line.split("\t") for line in out.splitlines()[1:]]

    queues = {row[0]: row[1] for row in listed("list_queues", "name", "arguments")}
    assert '{"x-single-active-consumer",true}' in queues["integration.ticket-events"]

    async def consuming() -> bool:
        consumers = [r for r in listed("list_consumers", "queue_name") if r]
        return ["integration.ticket-events"] in consumers

    await eventually(consuming, timeout=15)
