"""The dead-letter keeper: what the integration's queues gave up on is taken from their
`.dlq` into the `dead_letters` table (body, headers, reason), where the internal API shows
it and can replay it. Kept in the database rather than left in RabbitMQ so it can be read
without consuming, searched, and survives a broker rebuild."""

from typing import Any

import msgspec
import structlog
from faststream.middlewares import AckPolicy
from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage
from prometheus_client import Counter
from sqlalchemy import func, insert, update
from sqlalchemy.ext.asyncio import AsyncEngine

from kohub_integration.adapters.postgres.tables import dead_letters
from kohub_platform.messaging import ConsumerQueue

log = structlog.get_logger("kohub.dead-letters")
KEPT = Counter("kohub_dead_letters_total", "Dead letters kept for inspection", ["queue"])


def keep_dead_letters(
    broker: RabbitBroker, engine: AsyncEngine, queues: tuple[ConsumerQueue, ...]
) -> None:
    for consumer in queues:
        _keeper(broker, engine, consumer)


def _keeper(broker: RabbitBroker, engine: AsyncEngine, consumer: ConsumerQueue) -> None:
    @broker.subscriber(
        consumer.dead_letter_queue,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title=f"{consumer.name}.dlq",
        description=f"Keeps the dead letters of {consumer.name} in the database",
        decoder=_raw_body,
    )
    async def keep(body: Any, message: RabbitMessage) -> None:
        headers = _plain(message.headers or {})
        row = dead_letter_row(consumer.name, message.body, headers, message.message_id)
        async with engine.begin() as conn:
            await conn.execute(insert(dead_letters).values(**row))
        KEPT.labels(consumer.name).inc()
        log.warning("dead letter kept", queue=consumer.name, reason=row["reason"])


def dead_letter_row(
    queue: str, body: bytes, headers: dict[str, Any], message_id: str | None
) -> dict[str, Any]:
    """Why and from where: our consumer's own headers, else RabbitMQ's x-death entry."""
    death = (headers.get("x-death") or [{}])[0]
    routing_keys = death.get("routing-keys") or [None]
    reason = headers.get("x-kohub-error") or f"dead-lettered by RabbitMQ: {death.get('reason')}"
    deliveries = headers.get("x-delivery-count")
    return {
        "queue": queue,
        "message_id": message_id,
        "exchange": headers.get("x-kohub-exchange") or death.get("exchange"),
        "routing_key": headers.get("x-kohub-routing-key") or routing_keys[0],
        "reason": reason,
        "deliveries": int(deliveries) + 1 if deliveries is not None else None,
        "body": body,
        "headers": headers,
    }


def _plain(headers: dict[str, Any]) -> dict[str, Any]:
    """AMQP header values (bytes, datetimes, nested tables) as JSON."""
    encoded = msgspec.json.encode(headers, enc_hook=_text)
    return msgspec.json.decode(encoded)


def _text(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


async def mark_replayed(engine: AsyncEngine, letter_id: int) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(dead_letters)
            .where(dead_letters.c.id == letter_id)
            .values(replayed_at=func.now())
        )


async def _raw_body(message: Any) -> bytes:
    return message.body
