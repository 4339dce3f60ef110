"""The ordered batch consumer on the real broker: delivery order kept across batches, a
failing batch handled again one message at a time, a malformed message and one that keeps
failing dead-lettered with their reasons while everything behind them still comes in order."""

import uuid
from datetime import UTC, datetime
from typing import Any

import aio_pika
import msgspec

from kohub_contracts.envelope import Envelope
from kohub_platform.messaging import KOHUB_EVENTS, ConsumerQueue, build_broker, declare_topology
from kohub_platform.ordered import OrderedBatchConsumer
from kohub_platform.testing import eventually

COUNT = 400


class Step(msgspec.Struct):
    seq: int


async def test_order_is_kept_through_failures_and_dead_letters(amqp_url) -> None:
    name = f"test.ordered-{uuid.uuid4().hex[:6]}"
    queue = ConsumerQueue(name, KOHUB_EVENTS, ("step.#",), delivery_limit=2, ordered=True)
    broker = build_broker(amqp_url, "ordered-test")
    await broker.connect()
    await declare_topology(broker, [queue])
    committed: list[int] = []
    batches: list[int] = []
    flaky = {100}  # fails the first time it is seen, in whatever batch
    poison = 250  # fails every time

    async def handle(envelopes: list[Envelope[Any]]) -> None:
        seqs = [e.data.seq for e in envelopes]
        if poison in seqs:
            raise RuntimeError("poison")
        if flaky & set(seqs):
            flaky.clear()
            raise RuntimeError("flaky once")
        batches.append(len(seqs))
        committed.extend(seqs)  # "commit": all or nothing

    consumer = OrderedBatchConsumer(amqp_url, queue, {"step.done": Step}, handle, batch_max=50)
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(KOHUB_EVENTS.name)
    try:
        for seq in range(COUNT):
            body = msgspec.json.encode(
                Envelope(f"e{seq}", "step.done", datetime.now(UTC), "test", Step(seq))
            )
            if seq == 50:
                body = b"{not an envelope"
            await exchange.publish(
                aio_pika.Message(body, message_id=f"e{seq}"), routing_key="step.done"
            )
        consumer.start()

        async def all_in() -> bool:
            return len(committed) >= COUNT - 2

        await eventually(all_in, timeout=60)
        assert committed == [s for s in range(COUNT) if s not in (50, poison)]
        assert max(batches) > 1  # batched, not one by one

        dlq = await channel.declare_queue(f"{name}.dlq", passive=True)
        dead: dict[str, Any] = {}

        async def both_dead() -> bool:
            message = await dlq.get(fail=False, no_ack=True)
            if message is not None:
                dead[message.message_id] = message.headers
            return len(dead) == 2

        await eventually(both_dead, timeout=30)
        assert str(dead["e50"]["x-kohub-error"]).startswith("malformed")
        assert str(dead[f"e{poison}"]["x-kohub-error"]).startswith("failed 3 deliveries")
        assert dead[f"e{poison}"]["x-kohub-routing-key"] == "step.done"
    finally:
        await consumer.stop()
        await connection.close()
        await broker.stop()
