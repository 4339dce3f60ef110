"""A ticket walked NEW → … → CLOSED by the right roles over HTTP against the running
service; each change arrives once on `kohub.events`, also across a restart of the service."""

import uuid

import aio_pika
import httpx
import msgspec

from kohub_platform.testing import eventually

ORG = str(uuid.uuid4())


async def test_walk_to_closed_with_each_event_once_across_a_restart(
    ticket_service, oidc, amqp_url
) -> None:
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel()
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind("kohub.events", routing_key="ticket.#")
    received: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def on_message(message) -> None:
        received.append(message)
        await message.ack()

    await queue.consume(on_message)
    op = oidc.headers(["msp-operator"], name="김운영")
    customer = oidc.headers(["customer"], ORG, name="홍길동")
    async with httpx.AsyncClient(base_url=ticket_service.url, timeout=10) as http:
        created = await http.post(
            "/api/v1/tickets",
            headers=customer,
            json={"title": "서버 점검 요청", "priority": "MEDIUM"},
        )
        assert created.status_code == 201, created.text
        ticket = created.json()
        tid = ticket["id"]
        me = (
            await http.post(
                "/api/v1/tickets", headers=op, json={"title": "probe", "organizationId": ORG}
            )
        ).json()["reporter"]["id"]
        steps = [
            ("receive", None, op),
            ("assign", {"assigneeId": me}, op),
            ("transition", {"toStatus": "IN_PROGRESS"}, op),
        ]
        for step, body, headers in steps:
            r = await http.post(f"/api/v1/tickets/{tid}/{step}", json=body, headers=headers)
            assert r.status_code == 200, (step, r.text)

    # uvicorn re-raises SIGTERM after a graceful shutdown, so the exit status is -15
    assert ticket_service.stop() in (0, -15)
    assert "Application shutdown complete" in ticket_service.log.read_text()
    await ticket_service.start()

    async with httpx.AsyncClient(base_url=ticket_service.url, timeout=10) as http:
        for step, body, headers in [
            ("resolve", {"summary": "디스크 정리 완료", "actionTaken": "logrotate"}, op),
            ("complete", None, customer),
            ("transition", {"toStatus": "CLOSED"}, op),
        ]:
            r = await http.post(f"/api/v1/tickets/{tid}/{step}", json=body, headers=headers)
            assert r.status_code == 200, (step, r.text)
        final = r.json()
        assert final["status"] == "CLOSED"
        assert final["reporter"]["name"] == "홍길동"

    expected = [
        "ticket.created",
        "ticket.status_changed",
        "ticket.assigned",
        "ticket.status_changed",
        "ticket.status_changed",
        "ticket.status_changed",
        "ticket.resolved",
        "ticket.status_changed",
        "ticket.status_changed",
    ]

    async def for_ticket():
        mine = [
            m for m in received if msgspec.json.decode(m.body)["data"]["ticket"]["ticketId"] == tid
        ]
        return mine if len(mine) >= len(expected) else None

    messages = await eventually(for_ticket, timeout=20)
    await connection.close()
    assert [m.routing_key for m in messages] == expected
    assert len({m.message_id for m in messages}) == len(expected)
    statuses = [msgspec.json.decode(m.body)["data"].get("toStatus") for m in messages]
    assert [s for s in statuses if s] == [
        "RECEIVED",
        "ASSIGNED",
        "IN_PROGRESS",
        "RESOLVED",
        "COMPLETED",
        "CLOSED",
    ]
