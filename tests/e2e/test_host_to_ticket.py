"""The host and ticket services as their own processes: a host registered over HTTP, its
status observed over AMQP, and a ticket for it carrying the host's and organization's names
(issue "Host service", done-when)."""

import uuid
from datetime import UTC, datetime

import aio_pika
import httpx
import msgspec

from kohub_platform.testing import eventually


async def test_host_status_and_names_reach_the_ticket(
    host_service, ticket_service, oidc, amqp_url
) -> None:
    admin = oidc.headers(["msp-admin"])
    async with (
        httpx.AsyncClient(base_url=host_service.url, timeout=10, headers=admin) as hosts,
        httpx.AsyncClient(base_url=ticket_service.url, timeout=10, headers=admin) as tickets,
    ):
        org = (await hosts.post("/api/v1/organizations", json={"name": "A사"})).json()["id"]
        host = (
            await hosts.post(
                "/api/v1/hosts",
                json={
                    "name": "web-prod-01",
                    "connectionType": "SSH",
                    "organizationId": org,
                    "sshConfig": {"host": "10.0.0.1", "port": 22, "username": "admin"},
                    "tags": ["production"],
                },
            )
        ).json()
        adapter = await hosts.post(
            f"/api/v1/hosts/{host['id']}/adapters",
            json={"type": "uptime-kuma", "config": {"sourceId": "kuma", "monitorId": "1"}},
        )
        assert adapter.status_code == 201

        connection = await aio_pika.connect(amqp_url)
        channel = await connection.channel()
        exchange = await channel.get_exchange("kohub.events")
        event_id = str(uuid.uuid4())
        await exchange.publish(
            aio_pika.Message(
                msgspec.json.encode(
                    {
                        "eventId": event_id,
                        "eventType": "host.status.observed",
                        "timestamp": datetime.now(UTC),
                        "source": "kohub.adapter-gateway",
                        "data": {
                            "hostId": host["id"],
                            "status": "DOWN",
                            "observedAt": datetime.now(UTC),
                            "adapter": "uptime-kuma",
                            "message": "Connection refused",
                        },
                    }
                ),
                message_id=event_id,
            ),
            routing_key="host.status.observed",
        )
        await connection.close()

        async def down():
            status = (await hosts.get(f"/api/v1/hosts/{host['id']}/status")).json()
            return status["status"] == "DOWN"

        await eventually(down, timeout=15)

        async def ticket_with_names():
            created = await tickets.post(
                "/api/v1/tickets",
                json={
                    "title": "[장애] web-prod-01 - Connection refused",
                    "priority": "CRITICAL",
                    "hostId": host["id"],
                    "organizationId": org,
                },
            )
            detail = created.json()
            return detail if detail["host"]["name"] == "web-prod-01" else None

        detail = await eventually(ticket_with_names, timeout=15, interval=0.5)
        assert detail["organization"]["name"] == "A사"
        shown = (await hosts.get(f"/api/v1/hosts/{host['id']}")).json()
        assert shown["organizationName"] == "A사"
        assert [a["type"] for a in shown["adapters"]] == ["uptime-kuma"]
