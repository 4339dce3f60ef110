"""The topology: quorum queues with an explicit delivery limit dead-letter a message that
keeps failing, instead of redelivering it forever."""

import uuid

import aio_pika
from faststream.middlewares import AckPolicy

from kohub_platform.messaging import KOHUB_EVENTS, ConsumerQueue, build_broker, declare_topology
from kohub_platform.testing import eventually


async def test_poison_message_lands_in_the_dead_letter_queue(amqp_url) -> None:
    name = f"test.poison-{uuid.uuid4().hex[:6]}"
    consumer = ConsumerQueue(name, KOHUB_EVENTS, ("poison.#",), delivery_limit=2)
    broker = build_broker(amqp_url, "topology-test")
    attempts: list[str] = []

    @broker.subscriber(consumer.queue, KOHUB_EVENTS, ack_policy=AckPolicy.NACK_ON_ERROR)
    async def always_fails(body: dict) -> None:
        attempts.append("x")
        raise RuntimeError("cannot handle this")

    await broker.start()
    await declare_topology(broker, [consumer])
    try:
        await broker.publish(
            b'{"eventId":"poison-1"}',
            exchange=KOHUB_EVENTS,
            routing_key="poison.created",
            persist=True,
            message_id="poison-1",
        )
        connection = await aio_pika.connect(amqp_url)
        channel = await connection.channel()
        dlq = await channel.declare_queue(f"{name}.dlq", passive=True)

        async def dead_lettered() -> aio_pika.abc.AbstractIncomingMessage | None:
            return await dlq.get(fail=False)

        message = await eventually(dead_lettered, timeout=20)
        assert message.message_id == "poison-1"
        await message.ack()
        queue = await channel.declare_queue(name, passive=True)
        assert queue.declaration_result.message_count == 0
        # dead-lettered: the broker delivers it no more, so the count is final
        assert len(attempts) == 3, "first delivery plus two redeliveries, then dead-lettered"
        await connection.close()
    finally:
        await broker.stop()


async def test_queues_are_quorum_with_a_delivery_limit(amqp_url) -> None:
    consumer = ConsumerQueue(f"test.args-{uuid.uuid4().hex[:6]}", KOHUB_EVENTS, ("a.b",))
    arguments = consumer.queue.arguments
    assert arguments["x-queue-type"] == "quorum"
    assert arguments["x-delivery-limit"] == 5
    assert arguments["x-dead-letter-exchange"] == "kohub.dlx"
