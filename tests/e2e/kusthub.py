"""A stand-in for KustHub, the other team's system: it speaks only the contract of seed
§4.2 over the real broker (JSON on the `kusthub.events` exchange) and knows nothing of
kohub's code. It keeps every delivery it gets, duplicates included, as KustHub's consumer
would see them, and publishes customer requests and completions as KustHub does."""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import aio_pika

EXCHANGE = "kusthub.events"
KOHUB_EVENTS = ("incident.created", "incident.updated", "incident.resolved", "ticket.escalated")


class KustHubSimulator:
    def __init__(self, amqp_url: str) -> None:
        self._url = amqp_url
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._exchange: aio_pika.abc.AbstractExchange | None = None
        self.deliveries: list[dict[str, Any]] = []
        """Every message received, in arrival order, with `_messageId` and `_redelivered`."""

    async def __aenter__(self) -> "KustHubSimulator":
        self._connection = await aio_pika.connect_robust(self._url)
        channel = await self._connection.channel(publisher_confirms=True)
        self._exchange = await channel.declare_exchange(
            EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(f"kusthub-sim.{uuid.uuid4().hex[:8]}", exclusive=True)
        for key in KOHUB_EVENTS:
            await queue.bind(self._exchange, routing_key=key)
        await queue.consume(self._on_message)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._connection is not None:
            await self._connection.close()

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        body = json.loads(message.body)
        body["_messageId"] = message.message_id
        body["_routingKey"] = message.routing_key
        self.deliveries.append(body)
        await message.ack()

    def about(self, ticket_id: str) -> list[dict[str, Any]]:
        """Distinct events about one kohub ticket, first delivery of each, in arrival order."""
        seen: set[str] = set()
        out = []
        for d in self.deliveries:
            if d["data"].get("ticketId") == ticket_id and d["eventId"] not in seen:
                seen.add(d["eventId"])
                out.append(d)
        return out

    async def send(self, event_type: str, data: dict[str, Any], event_id: str | None = None) -> str:
        assert self._exchange is not None
        event_id = event_id or str(uuid.uuid4())
        envelope = {
            "eventId": event_id,
            "eventType": event_type,
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "source": "kusthub",
            "data": data,
        }
        await self._exchange.publish(
            aio_pika.Message(
                json.dumps(envelope, ensure_ascii=False).encode(),
                message_id=event_id,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=event_type,
        )
        return event_id

    async def request(
        self, *, organization: dict[str, str], requester: dict[str, str], subject: str,
        description: str, priority: str = "MEDIUM", requires_operations: bool = True,
    ) -> tuple[str, str]:  # fmt: skip
        """A customer request of seed §4.2; returns (eventId, KustHub's ticket id)."""
        ticket_id = f"kusthub-{uuid.uuid4()}"
        event_id = await self.send(
            "customer.request.created",
            {
                "ticketId": ticket_id,
                "subject": subject,
                "description": description,
                "category": "maintenance",
                "priority": priority,
                "requester": requester,
                "organization": organization,
                "requiresOperationalTicket": requires_operations,
            },
        )
        return event_id, ticket_id

    async def complete(
        self, *, kusthub_ticket_id: str, kohub_key: str, in_reply_to: str | None = None,
        completed_by: dict[str, str] | None = None,
    ) -> str:  # fmt: skip
        """The customer confirmed the result in KustHub."""
        data: dict[str, Any] = {
            "ticketId": kusthub_ticket_id,
            "externalTicketId": kohub_key,
            "completedAt": datetime.now(UTC).isoformat(),
            "satisfaction": 5,
        }
        if in_reply_to:
            data["inReplyTo"] = in_reply_to
        if completed_by:
            data["completedBy"] = completed_by
        return await self.send("ticket.completed", data)
