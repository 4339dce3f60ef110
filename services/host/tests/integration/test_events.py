"""Host events on the real broker, the observed status consumed once, and the ticket
service's references kept from the events."""

import uuid
from datetime import UTC, datetime

import aio_pika
import msgspec
import pytest_asyncio

from kohub_platform.testing import eventually

from .test_api import auth, organization, register


@pytest_asyncio.fixture
async def channel(amqp_url):
    connection = await aio_pika.connect(amqp_url)
    yield await connection.channel()
    await connection.close()


async def _tap(channel, pattern: str) -> list:
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind("kohub.events", routing_key=pattern)
    received: list = []

    async def on_message(message) -> None:
        received.append(message)
        await message.ack()

    await queue.consume(on_message)
    return received


async def test_changes_are_published_with_the_full_state(client, oidc, channel) -> None:
    received = await _tap(channel, "host.#")
    org = await organization(client, oidc, "B사")
    h = await register(client, oidc, org, tags=["db"])
    admin = auth(oidc, "msp-admin")
    await client.post(
        f"/api/v1/hosts/{h['id']}/adapters",
        headers=admin,
        json={"type": "termix", "config": {"baseUrl": "https://termix.example", "hostId": "9"}},
    )
    await client.put(
        f"/api/v1/hosts/{h['id']}/lifecycle", headers=admin, json={"status": "MAINTENANCE"}
    )

    async def three():
        mine = [
            m for m in received if msgspec.json.decode(m.body)["data"]["host"]["hostId"] == h["id"]
        ]
        return mine if len(mine) >= 3 else None

    messages = await eventually(three)
    assert [m.routing_key for m in messages] == [
        "host.created",
        "host.adapter_added",
        "host.status_changed",
    ]
    last = msgspec.json.decode(messages[-1].body)["data"]
    assert last["host"]["status"] == "MAINTENANCE" and last["previousStatus"] == "ACTIVE"
    assert last["host"]["organization"] == {"id": org, "name": "B사"}
    assert last["host"]["adapters"][0]["config"]["hostId"] == "9"
    assert all(m.message_id == msgspec.json.decode(m.body)["eventId"] for m in messages)


def _observed(host_id: str, status: str, event_id: str) -> bytes:
    return msgspec.json.encode(
        {
            "eventId": event_id,
            "eventType": "host.status.observed",
            "timestamp": datetime.now(UTC),
            "source": "kohub.adapter-gateway",
            "data": {
                "hostId": host_id,
                "status": status,
                "observedAt": datetime.now(UTC),
                "adapter": "uptime-kuma",
                "message": "Connection refused",
            },
        }
    )


def _duplicates(metrics: str) -> float:
    for line in metrics.splitlines():
        if line.startswith("kohub_messages_consumed_total{") and (
            'outcome="duplicate"' in line and 'queue="host.status-observed"' in line
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_observed_status_is_applied_once(client, oidc, channel) -> None:
    org = await organization(client, oidc)
    h = await register(client, oidc, org)
    exchange = await channel.get_exchange("kohub.events")
    before = _duplicates((await client.get("/metrics")).text)
    event_id = str(uuid.uuid4())
    body = _observed(h["id"], "DOWN", event_id)
    for _ in range(2):  # the broker may deliver a message twice
        await exchange.publish(
            aio_pika.Message(body, message_id=event_id), routing_key="host.status.observed"
        )

    async def second_copy_recognised():
        return _duplicates((await client.get("/metrics")).text) >= before + 1

    await eventually(second_copy_recognised)
    # only two copies were sent: one duplicate at most, so this count is final
    assert _duplicates((await client.get("/metrics")).text) == before + 1
    url = f"/api/v1/hosts/{h['id']}"
    op = auth(oidc, "msp-operator")
    detail = (await client.get(url, headers=op)).json()
    assert detail["currentStatus"]["status"] == "DOWN"
    assert detail["currentStatus"]["adapter"] == "uptime-kuma"
    assert (await client.get(f"{url}/status", headers=op)).json()["message"] == "Connection refused"
    assert detail["version"] == h["version"], "a heartbeat is no edit: If-Match stays valid"


async def test_malformed_status_messages_are_dead_lettered(client, channel) -> None:
    exchange = await channel.get_exchange("kohub.events")
    bad = {"bad-shape": b'{"eventId": "x", "data": 1}', "bad-json": b"\x00 not json {"}
    for message_id, body in bad.items():
        await exchange.publish(
            aio_pika.Message(body, message_id=message_id, content_type="application/json"),
            routing_key="host.status.observed",
        )
    dlq = await channel.declare_queue("host.status-observed.dlq", passive=True)
    seen: set[str] = set()

    async def both_dead():
        while (message := await dlq.get(fail=False)) is not None:
            seen.add(message.message_id)
            await message.ack()
        return seen >= set(bad)

    assert await eventually(both_dead)


async def test_ticket_service_shows_host_and_organization_names(
    client, ticket_client, oidc
) -> None:
    org = await organization(client, oidc, "C사")
    h = await register(client, oidc, org, name="web-prod-01")
    op = auth(oidc, "msp-operator")

    async def ticket_with_names():
        created = await ticket_client.post(
            "/api/v1/tickets",
            headers=op,
            json={"title": "응답 지연", "hostId": h["id"], "organizationId": org},
        )
        detail = created.json()
        return detail if detail["host"]["name"] == "web-prod-01" else None

    detail = await eventually(ticket_with_names, timeout=15, interval=0.3)
    assert detail["organization"]["name"] == "C사"
    assert detail["host"]["status"] == "ACTIVE"
    listed = (await ticket_client.get(f"/api/v1/tickets?hostId={h['id']}", headers=op)).json()
    assert listed["items"][0]["host"]["name"] == "web-prod-01"
