"""RabbitMQ through FastStream: the broker, the topology of ARCHITECTURE.md and the
publisher the outbox relay uses.

Topology: `kohub.events` and `kusthub.events` are durable topic exchanges. Every consumer
owns one quorum queue with an explicit `x-delivery-limit` (RabbitMQ 3.10 has no default)
and a dead-letter route to `<queue>.dlq` through the `kohub.dlx` direct exchange, so a
message that keeps failing stops there instead of looping.
"""

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aio_pika
from faststream.rabbit import (
    Channel,
    ExchangeType,
    QueueType,
    RabbitBroker,
    RabbitExchange,
    RabbitQueue,
)

from kohub_contracts.alerts import AlertEventType
from kohub_contracts.commands import TicketCommandType
from kohub_contracts.events import (
    HOST_EVENT_TYPES,
    HostEventType,
    IntegrationEventType,
    TicketEventType,
)
from kohub_contracts.kusthub import INBOUND_EVENT_TYPES
from kohub_contracts.routing import (
    DEAD_LETTER_EXCHANGE,
    KOHUB_EVENTS_EXCHANGE,
    KUSTHUB_EVENTS_EXCHANGE,
)
from kohub_platform.relay import ClaimedMessage

KOHUB_EVENTS = RabbitExchange(KOHUB_EVENTS_EXCHANGE, type=ExchangeType.TOPIC, durable=True)
KUSTHUB_EVENTS = RabbitExchange(KUSTHUB_EVENTS_EXCHANGE, type=ExchangeType.TOPIC, durable=True)
DLX = RabbitExchange(DEAD_LETTER_EXCHANGE, type=ExchangeType.DIRECT, durable=True)
EXCHANGES = {e.name: e for e in (KOHUB_EVENTS, KUSTHUB_EVENTS, DLX)}
DEFAULT_DELIVERY_LIMIT = 5


@dataclass(frozen=True, slots=True)
class ConsumerQueue:
    """A consumer's queue and what it is bound to."""

    name: str
    exchange: RabbitExchange
    routing_keys: tuple[str, ...]
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT
    ordered: bool = False
    """One consumer at a time (`x-single-active-consumer`, the others stand by), handling
    its messages in delivery order (kohub_platform.ordered): for events whose order
    matters across messages."""

    @property
    def queue(self) -> RabbitQueue:
        arguments: dict[str, Any] = {
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": self.name,
            "x-delivery-limit": self.delivery_limit,
        }
        if self.ordered:
            arguments["x-single-active-consumer"] = True
        return RabbitQueue(
            self.name,
            queue_type=QueueType.QUORUM,
            durable=True,
            routing_key=self.routing_keys[0],
            arguments=arguments,
        )

    @property
    def dead_letter_queue(self) -> RabbitQueue:
        return RabbitQueue(f"{self.name}.dlq", queue_type=QueueType.QUORUM, durable=True)


# Every consumer queue of the suite, declared by every service at start: an event published
# before its consumer ever ran still waits in its queue instead of being routed nowhere.
HOST_REFERENCES_QUEUE = ConsumerQueue(
    "ticket.host-references",
    KOHUB_EVENTS,
    tuple(k for k in HOST_EVENT_TYPES if k != HostEventType.STATUS_OBSERVED),
)
HOST_STATUS_QUEUE = ConsumerQueue(
    "host.status-observed", KOHUB_EVENTS, (HostEventType.STATUS_OBSERVED,)
)
ALERTS_QUEUE = ConsumerQueue("ticket.alerts", KOHUB_EVENTS, (AlertEventType.RECEIVED,))
ALERT_OUTCOMES_QUEUE = ConsumerQueue(
    "adapter.alert-outcomes", KOHUB_EVENTS, (AlertEventType.PROCESSED,)
)
HOST_MAPPING_QUEUE = ConsumerQueue(
    "adapter.host-mapping", KOHUB_EVENTS, HOST_REFERENCES_QUEUE.routing_keys
)
# the KustHub bridge: ticket events out, KustHub's requests in, commands and their answers
INTEGRATION_TICKET_EVENTS_QUEUE = ConsumerQueue(
    "integration.ticket-events",
    KOHUB_EVENTS,
    (
        TicketEventType.CREATED,
        TicketEventType.STATUS_CHANGED,
        TicketEventType.RESOLVED,
        TicketEventType.ESCALATED,
    ),
    # KustHub must hear of a ticket's changes in their order
    ordered=True,
)
KUSTHUB_INBOUND_QUEUE = ConsumerQueue(
    "integration.kusthub-inbound", KUSTHUB_EVENTS, tuple(INBOUND_EVENT_TYPES)
)
COMMAND_OUTCOMES_QUEUE = ConsumerQueue(
    "integration.command-outcomes", KOHUB_EVENTS, (TicketCommandType.OUTCOME,)
)
TICKET_COMMANDS_QUEUE = ConsumerQueue(
    "ticket.commands", KOHUB_EVENTS, (TicketCommandType.CREATE, TicketCommandType.COMPLETE)
)
TICKET_SYNC_QUEUE = ConsumerQueue(
    "ticket.sync-status", KOHUB_EVENTS, (IntegrationEventType.SYNC_CHANGED,)
)
SUITE_QUEUES: tuple[ConsumerQueue, ...] = (
    HOST_REFERENCES_QUEUE,
    HOST_STATUS_QUEUE,
    ALERTS_QUEUE,
    ALERT_OUTCOMES_QUEUE,
    HOST_MAPPING_QUEUE,
    INTEGRATION_TICKET_EVENTS_QUEUE,
    KUSTHUB_INBOUND_QUEUE,
    COMMAND_OUTCOMES_QUEUE,
    TICKET_COMMANDS_QUEUE,
    TICKET_SYNC_QUEUE,
)


# Messages handled at once per process. More than the database pool (10 + 10 overflow) only
# queues handlers on connections, and they crowd the event loop the outbox relay shares.
DEFAULT_PREFETCH = 20


def build_broker(amqp_url: str, service: str, *, prefetch: int = DEFAULT_PREFETCH) -> RabbitBroker:
    return RabbitBroker(
        amqp_url,
        default_channel=Channel(prefetch_count=prefetch, publisher_confirms=True),
        app_id=f"kohub-{service}",
        graceful_timeout=10.0,
        fail_fast=False,
        description=f"kohub {service} service",
        # FastStream's per-message lines go through our JSON logs, and only at DEBUG.
        logger=logging.getLogger("kohub.broker"),
        log_level=logging.DEBUG,
    )


async def declare_topology(
    broker: RabbitBroker, queues: Iterable[ConsumerQueue] = SUITE_QUEUES
) -> None:
    """Declare the exchanges, every consumer queue with all its bindings, and their DLQs."""
    declared = {name: await broker.declare_exchange(ex) for name, ex in EXCHANGES.items()}
    for consumer in queues:
        queue = await broker.declare_queue(consumer.queue)
        for key in consumer.routing_keys:
            await queue.bind(declared[consumer.exchange.name], routing_key=key)
        dlq = await broker.declare_queue(consumer.dead_letter_queue)
        await dlq.bind(declared[DEAD_LETTER_EXCHANGE], routing_key=consumer.name)


class RabbitPublisher:
    """Publishes outbox rows: persistent, message_id = eventId, waiting for the confirm.

    It speaks aio-pika (FastStream's own driver) on a connection of its own: the relay
    publishes thousands of messages a second, and FastStream's publish path (middlewares,
    per-call exchange lookup) costs several times the CPU of a plain confirmed publish.
    """

    def __init__(self, amqp_url: str, app_id: str, *, timeout: float = 10.0) -> None:
        self._url = amqp_url
        self._app_id = app_id
        self._timeout = timeout
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._channel: aio_pika.abc.AbstractChannel | None = None
        self._exchanges: dict[str, aio_pika.abc.AbstractExchange] = {}
        self._lock = asyncio.Lock()

    async def publish(self, message: ClaimedMessage) -> None:
        exchange = await self._exchange(message.exchange)
        await exchange.publish(
            aio_pika.Message(
                message.body,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=message.event_id,
                correlation_id=message.correlation_id or message.event_id,
                type=message.event_type,
                content_type="application/json",
                app_id=self._app_id,
            ),
            routing_key=message.routing_key,
            mandatory=False,
            timeout=self._timeout,
        )

    async def _exchange(self, name: str) -> aio_pika.abc.AbstractExchange:
        exchange = self._exchanges.get(name)
        if exchange is not None and self._channel is not None and not self._channel.is_closed:
            return exchange
        async with self._lock:
            if self._connection is None or self._connection.is_closed:
                self._connection = await aio_pika.connect_robust(self._url, timeout=self._timeout)
                self._exchanges.clear()
            if self._channel is None or self._channel.is_closed:
                self._channel = await self._connection.channel(publisher_confirms=True)
                self._exchanges.clear()
            if name not in self._exchanges:
                self._exchanges[name] = await self._channel.get_exchange(name, ensure=False)
            return self._exchanges[name]

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
