"""Envelope consumers on FastStream: decode with msgspec, bind the correlation id, call the
handler; a malformed message is dead-lettered at once, a failing one is given back after a
growing pause (0.5 s, 1 s, 2 s … 30 s) until its last allowed delivery, which goes to the
dead-letter queue.

Dead letters carry why (`x-kohub-error`) and where they came from (`x-kohub-queue`,
`x-kohub-exchange`, `x-kohub-routing-key`): the consumer publishes them to `kohub.dlx`
itself, with a confirm, before acking. If that publish fails the message is rejected and
the queue's own dead-letter route takes it (x-death says `rejected`); the queue's
`x-delivery-limit` stays the backstop for a consumer that dies mid-message."""

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
from kohub_platform.messaging import DLX, ConsumerQueue

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
    handler may answer False for a redelivery its inbox recognised (counted as duplicate).
    Messages are handled concurrently (up to the prefetch): an ordered queue is consumed
    with kohub_platform.ordered instead."""

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
            reason = f"malformed: {type(exc).__name__}: {exc}"
            log.warning("malformed message dead-lettered", error=reason)
            CONSUMED.labels(consumer.name, "malformed").inc()
            await _dead_letter(broker, consumer, message, reason)
            return
        try:
            applied = await handle(envelope)
        except Exception as exc:
            # Wait before giving the message back, longer at each redelivery, so a database
            # that is away for a few seconds does not use up the delivery limit at once.
            deliveries = int((message.headers or {}).get("x-delivery-count", 0) or 0)
            if deliveries >= consumer.delivery_limit:
                reason = f"failed {deliveries + 1} deliveries: {type(exc).__name__}: {exc}"
                log.exception("message keeps failing; dead-lettered")
                CONSUMED.labels(consumer.name, "dead-lettered").inc()
                await _dead_letter(broker, consumer, message, reason)
                return
            delay = redelivery_delay(deliveries)
            log.exception("message handling failed; redelivering", retry_in_s=delay)
            CONSUMED.labels(consumer.name, "failed").inc()
            await asyncio.sleep(delay)
            raise
        # a handler answers False for a message its inbox had already seen
        CONSUMED.labels(consumer.name, "duplicate" if applied is False else "handled").inc()


async def _dead_letter(
    broker: RabbitBroker, consumer: ConsumerQueue, message: RabbitMessage, reason: str
) -> None:
    raw = message.raw_message
    headers = dead_letter_headers(
        consumer.name, message.headers, raw.exchange, raw.routing_key, reason
    )
    try:
        await broker.publish(
            message.body,
            exchange=DLX,
            routing_key=consumer.name,
            headers=headers,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            content_type=message.content_type,
            persist=True,
        )
    except Exception as exc:  # the queue's own dead-letter route, without our reason
        log.warning("dead-letter publish failed; rejecting", error=str(exc))
        await message.reject(requeue=False)
        return
    await message.ack()


def dead_letter_headers(
    queue: str,
    headers: dict[str, Any] | None,
    exchange: str | None,
    routing_key: str | None,
    reason: str,
) -> dict[str, Any]:
    """The message's headers with why it was given up and where it first went."""
    kept = {k: v for k, v in (headers or {}).items() if not k.startswith("x-death")}
    return kept | {
        "x-kohub-error": reason[:2000],
        "x-kohub-queue": queue,
        "x-kohub-exchange": exchange or "",
        "x-kohub-routing-key": routing_key or "",
    }


def redelivery_delay(deliveries: int) -> float:
    return min(REDELIVERY_CAP_SECONDS, REDELIVERY_BASE_SECONDS * 2**deliveries)


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
