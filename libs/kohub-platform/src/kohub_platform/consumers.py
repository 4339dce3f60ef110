"""Envelope consumers on FastStream: decode with msgspec, bind the correlation id, call the
handler; a malformed message is dead-lettered at once, a failing one is given back after a
growing pause (0.5 s, 1 s, 2 s … 30 s) until the queue's delivery limit sends it to its
dead-letter queue."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
import structlog
from faststream.middlewares import AckPolicy
from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage
from prometheus_client import Counter

from kohub_contracts.envelope import Envelope
from kohub_platform.logs import bind_contextvars, clear_contextvars
from kohub_platform.messaging import ConsumerQueue

D = TypeVar("D")
log = structlog.get_logger("kohub.consumer")
REDELIVERY_BASE_SECONDS = 0.5
REDELIVERY_CAP_SECONDS = 30.0
CONSUMED = Counter("kohub_messages_consumed_total", "Messages handled", ["queue", "outcome"])


def subscribe_envelopes(
    broker: RabbitBroker,
    consumer: ConsumerQueue,
    data_types: dict[str, type[Any]],
    handle: Callable[[Envelope[Any]], Awaitable[bool | None]],
) -> None:
    """Consume `consumer`'s queue; each event type's data is decoded into its Struct. The
    handler may answer False for a redelivery its inbox recognised (counted as duplicate)."""

    @broker.subscriber(
        consumer.queue,
        consumer.exchange,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title=consumer.name,
        description=f"Consumes {', '.join(consumer.routing_keys)}",
        decoder=_raw_body,  # msgspec decodes below; garbage must reach us to be dead-lettered
    )
    async def on_message(body: Any, message: RabbitMessage) -> None:
        clear_contextvars()
        bind_contextvars(
            queue=consumer.name,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
        )
        try:
            envelope = decode(message.body, data_types)
        except (msgspec.DecodeError, msgspec.ValidationError, KeyError) as exc:
            log.warning("malformed message dead-lettered", error=str(exc))
            CONSUMED.labels(consumer.name, "malformed").inc()
            await message.reject(requeue=False)
            return
        try:
            applied = await handle(envelope)
        except Exception:
            # Wait before giving the message back, longer at each redelivery, so a database
            # that is away for a few seconds does not use up the delivery limit at once.
            deliveries = int((message.headers or {}).get("x-delivery-count", 0) or 0)
            delay = min(REDELIVERY_CAP_SECONDS, REDELIVERY_BASE_SECONDS * 2**deliveries)
            log.exception("message handling failed; redelivering", retry_in_s=delay)
            CONSUMED.labels(consumer.name, "failed").inc()
            await asyncio.sleep(delay)
            raise
        # a handler answers False for a message its inbox had already seen
        CONSUMED.labels(consumer.name, "duplicate" if applied is False else "handled").inc()


async def _raw_body(message: Any) -> bytes:
    return message.body


def decode(body: bytes, data_types: dict[str, type[Any]]) -> Envelope[Any]:
    head = msgspec.json.decode(body, type=Envelope[msgspec.Raw])
    data_type = data_types[head.event_type]
    return Envelope(
        event_id=head.event_id,
        event_type=head.event_type,
        timestamp=head.timestamp,
        source=head.source,
        data=msgspec.json.decode(head.data, type=data_type),
    )
