"""Each change appears once on `kohub.events`: message_id = eventId, persistent, in order."""

import uuid

import aio_pika
import jsonschema
import msgspec
import pytest_asyncio

from kohub_platform.testing import eventually

from .test_api import auth, create


@pytest_asyncio.fixture
async def ticket_events(amqp_url):
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel()
    queue = await channel.declare_queue(
        f"test.ticket-events-{uuid.uuid4().hex[:6]}", exclusive=True
    )
    await queue.bind("kohub.events", routing_key="ticket.#")
    received: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def on_message(message) -> None:
        received.append(message)
        await message.ack()

    await queue.consume(on_message)
    yield received
    await connection.close()


async def test_each_change_is_published_once(client, oidc, ticket_events) -> None:
    op = auth(oidc, "msp-operator")
    ticket = await create(client, oidc)
    tid, me = ticket["id"], ticket["reporter"]["id"]
    await client.post(f"/api/v1/tickets/{tid}/receive", headers=op)
    await client.post(f"/api/v1/tickets/{tid}/assign", json={"assigneeId": me}, headers=op)
    await client.post(f"/api/v1/tickets/{tid}/comments", json={"content": "확인 중"}, headers=op)
    await client.post(
        f"/api/v1/tickets/{tid}/transition", json={"toStatus": "IN_PROGRESS"}, headers=op
    )
    await client.post(f"/api/v1/tickets/{tid}/resolve", json={"summary": "fixed"}, headers=op)
    expected = [
        "ticket.created",
        "ticket.status_changed",
        "ticket.assigned",
        "ticket.status_changed",
        "ticket.commented",
        "ticket.status_changed",
        "ticket.status_changed",
        "ticket.resolved",
    ]

    async def mine():
        found = [
            m
            for m in ticket_events
            if msgspec.json.decode(m.body)["data"]["ticket"]["ticketId"] == tid
        ]
        return found if len(found) >= len(expected) else None

    await eventually(mine, timeout=15)
    # one more change: events of a ticket arrive in order, so once it is in, any duplicate
    # of the earlier ones would be in too
    await client.post(f"/api/v1/tickets/{tid}/comments", json={"content": "끝"}, headers=op)
    expected_then = len(expected) + 1

    async def all_in():
        found = await mine()
        return found if found and len(found) >= expected_then else None

    messages = (await eventually(all_in, timeout=15))[:-1]
    assert len(messages) == len(expected)
    bodies = [msgspec.json.decode(m.body) for m in messages]
    assert [m.routing_key for m in messages] == expected
    assert [b["eventType"] for b in bodies] == expected
    assert all(m.message_id == b["eventId"] for m, b in zip(messages, bodies, strict=True))
    assert len({m.message_id for m in messages}) == len(messages)
    assert all(m.delivery_mode == aio_pika.DeliveryMode.PERSISTENT for m in messages)
    versions = [b["data"]["ticket"]["version"] for b in bodies]
    assert versions == sorted(versions)
    resolved = bodies[-1]["data"]
    assert resolved["resolution"]["summary"] == "fixed"
    assert resolved["ticket"]["organization"]["id"] == ticket["organization"]["id"]
    assert resolved["ticket"]["assignee"]["id"] == me


async def test_published_events_match_the_asyncapi_document(client, oidc, ticket_events) -> None:
    document = (await client.get("/asyncapi.json")).json()
    assert document["asyncapi"] == "3.0.0"
    ticket = await create(client, oidc)
    await client.post(
        f"/api/v1/tickets/{ticket['id']}/comments",
        json={"content": "x"},
        headers=auth(oidc, "msp-operator"),
    )

    async def two():
        mine = [
            m
            for m in ticket_events
            if msgspec.json.decode(m.body)["data"]["ticket"]["ticketId"] == ticket["id"]
        ]
        return mine if len(mine) >= 2 else None

    for message in await eventually(two, timeout=15):
        channel = document["channels"][message.routing_key]
        (ref,) = [m["$ref"] for m in channel["messages"].values()]
        payload = document["components"]["messages"][ref.rsplit("/", 1)[1]]["payload"]
        schema = {**payload, "components": document["components"]}
        jsonschema.validate(msgspec.json.decode(message.body), schema)
