"""A consumer for an ordered queue that keeps up: messages are handled strictly in delivery
order, many per transaction.

FastStream hands each message to its own task and acks it after; an ordered queue consumed
that way needs prefetch 1, which costs a broker round trip and a transaction per message
(about 100 messages/s here). This consumer has a connection and channel of its own with a
generous prefetch; its callback only appends the message to an in-process FIFO (the first
thing it does, so the FIFO holds the delivery order), and one worker takes what is waiting,
up to `batch_max`, and gives it to `handle_batch` in order. The handler commits once for
the batch, with one inbox entry per message; then every message is acked.

Failures keep the order: a batch that fails is handled again one message at a time; a
message that keeps failing is retried in place with a growing pause (nothing behind it may
overtake) up to the queue's delivery limit, then dead-lettered with its reason like the
other consumers do. A malformed message is dead-lettered at once. After a reconnection the
broker delivers every unacked message again, in order; what is still waiting from the old
channel is dropped (the inbox makes a redelivered, already handled message a no-op).
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import aio_pika
import msgspec
import structlog
from aio_pika.abc import AbstractIncomingMessage

from kohub_contracts.envelope import Envelope
from kohub_contracts.routing import DEAD_LETTER_EXCHANGE
from kohub_platform.consumers import CONSUMED, dead_letter_headers, decode, redelivery_delay
from kohub_platform.logs import bind_contextvars, clear_contextvars
from kohub_platform.messaging import ConsumerQueue

log = structlog.get_logger("kohub.ordered-consumer")
BatchHandler = Callable[[list[Envelope[Any]]], Awaitable[None]]
Malformed = (msgspec.DecodeError, msgspec.ValidationError, KeyError)


class OrderedBatchConsumer:
    def __init__(
        self,
        amqp_url: str,
        consumer: ConsumerQueue,
        data_types: dict[str, type[Any]],
        handle_batch: BatchHandler,
        *,
        prefetch: int = 500,
        batch_max: int = 200,
    ) -> None:
        self._url = amqp_url
        self._consumer = consumer
        self._types = data_types
        self._handle = handle_batch
        self._prefetch = prefetch
        self._batch_max = batch_max
        self._waiting: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._dlx: aio_pika.abc.AbstractExchange | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def name(self) -> str:
        return self._consumer.name

    @property
    def connected(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"ordered:{self._consumer.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None

    async def _run(self) -> None:
        delay = 1.0
        while self._connection is None:
            try:
                await self._connect()
            except Exception as exc:  # RabbitMQ away at start: keep trying
                log.warning("ordered consumer cannot connect", error=str(exc), retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        while True:
            await self._handle_waiting()

    async def _connect(self) -> None:
        connection = await aio_pika.connect_robust(self._url, timeout=10)
        try:
            channel = await connection.channel(publisher_confirms=True)
            await channel.set_qos(prefetch_count=self._prefetch)
            spec = self._consumer.queue
            queue = await channel.declare_queue(spec.name, durable=True, arguments=spec.arguments)
            self._dlx = await channel.get_exchange(DEAD_LETTER_EXCHANGE, ensure=False)
            await queue.consume(self._arrived)
        except Exception:
            await connection.close()
            raise
        self._connection = connection

    async def _arrived(self, message: AbstractIncomingMessage) -> None:
        # No await before this: aio-pika starts one task per delivery in delivery order, so
        # each reaches this line in that order and the FIFO keeps it.
        self._waiting.put_nowait(message)

    async def _handle_waiting(self) -> None:
        batch = [await self._waiting.get()]
        while len(batch) < self._batch_max and not self._waiting.empty():
            batch.append(self._waiting.get_nowait())
        decoded: list[tuple[AbstractIncomingMessage, Envelope[Any]]] = []
        for message in batch:
            if message.channel.is_closed:
                continue  # from before a reconnection: delivered again on the new channel
            try:
                decoded.append((message, decode(message.body, self._types)))
            except Malformed as exc:
                CONSUMED.labels(self._consumer.name, "malformed").inc()
                await self._dead_letter(message, f"malformed: {type(exc).__name__}: {exc}")
        if not decoded:
            return
        try:
            await self._handle([envelope for _, envelope in decoded])
        except Exception as exc:
            log.warning(
                "ordered batch failed; one message at a time",
                queue=self._consumer.name,
                size=len(decoded),
                error=str(exc),
            )
            for message, envelope in decoded:
                await self._one(message, envelope)
            return
        for message, _ in decoded:
            await _ack(message)
        CONSUMED.labels(self._consumer.name, "handled").inc(len(decoded))

    async def _one(self, message: AbstractIncomingMessage, envelope: Envelope[Any]) -> None:
        """Retry in place: whatever comes after it in the queue waits."""
        clear_contextvars()
        bind_contextvars(
            queue=self._consumer.name,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
        )
        earlier = int((message.headers or {}).get("x-delivery-count", 0) or 0)
        attempt = 0
        while True:
            try:
                await self._handle([envelope])
            except Exception as exc:
                attempt += 1
                deliveries = earlier + attempt
                if deliveries > self._consumer.delivery_limit:
                    log.exception("message keeps failing; dead-lettered")
                    CONSUMED.labels(self._consumer.name, "dead-lettered").inc()
                    reason = f"failed {deliveries} deliveries: {type(exc).__name__}: {exc}"
                    await self._dead_letter(message, reason)
                    return
                delay = redelivery_delay(deliveries - 1)
                log.exception("message handling failed; retrying in order", retry_in_s=delay)
                CONSUMED.labels(self._consumer.name, "failed").inc()
                await asyncio.sleep(delay)
                if message.channel.is_closed:
                    return  # the broker delivers it again, in order
                continue
            await _ack(message)
            CONSUMED.labels(self._consumer.name, "handled").inc()
            return

    async def _dead_letter(self, message: AbstractIncomingMessage, reason: str) -> None:
        log.warning("dead-lettered", queue=self._consumer.name, error=reason)
        headers = dead_letter_headers(
            self._consumer.name, message.headers, message.exchange, message.routing_key, reason
        )
        try:
            assert self._dlx is not None
            await self._dlx.publish(
                aio_pika.Message(
                    message.body,
                    headers=headers,
                    message_id=message.message_id,
                    correlation_id=message.correlation_id,
                    content_type=message.content_type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=self._consumer.name,
            )
        except Exception as exc:  # the queue's own dead-letter route, without our reason
            log.warning("dead-letter publish failed; rejecting", error=str(exc))
            with contextlib.suppress(Exception):
                await message.reject(requeue=False)
            return
        await _ack(message)


async def _ack(message: AbstractIncomingMessage) -> None:
    # a channel lost since delivery: the broker delivers it again and the inbox skips it
    with contextlib.suppress(Exception):
        await message.ack()
