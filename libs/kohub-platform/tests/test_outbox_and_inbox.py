"""The outbox relay against the real PostgreSQL and RabbitMQ, and the inbox that makes a
redelivery change nothing."""

import asyncio
import uuid

import aio_pika
import msgspec
import pytest_asyncio
from sqlalchemy import MetaData, text

from kohub_platform.db import SqlUnitOfWork, asyncpg_dsn, create_engine, session_factory
from kohub_platform.inbox import first_delivery, inbox_table, prune_inbox
from kohub_platform.messaging import RabbitPublisher, build_broker, declare_topology
from kohub_platform.outbox import envelope_message, outbox_table
from kohub_platform.relay import ClaimedMessage, OutboxRelay
from kohub_platform.testing import eventually


@pytest_asyncio.fixture(scope="module")
async def engine(database_factory):
    url = await database_factory("outbox")
    engine = create_engine(url, pool_size=5)
    metadata = MetaData()
    outbox_table(metadata)
    inbox_table(metadata)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest_asyncio.fixture(scope="module")
async def broker(amqp_url):
    broker = build_broker(amqp_url, "outbox-test")
    await broker.start()
    await declare_topology(broker)
    yield broker
    await broker.stop()


@pytest_asyncio.fixture
async def tap(amqp_url):
    """A private queue bound to this test's routing key, read with aio-pika."""
    routing_key = f"test.{uuid.uuid4().hex[:8]}"
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel()
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind("kohub.events", routing_key=routing_key)
    received: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        received.append(message)
        await message.ack()

    await queue.consume(on_message)
    yield routing_key, received
    await connection.close()


async def _write(engine, routing_key: str, aggregates: int, per_aggregate: int) -> list[str]:
    sessions = session_factory(engine)
    ids = []
    for n in range(per_aggregate):
        for a in range(aggregates):
            async with SqlUnitOfWork(sessions) as uow:
                message = envelope_message(
                    event_type=routing_key,
                    data={"aggregate": a, "n": n},
                    aggregate_id=f"{routing_key}-{a}",
                    exchange="kohub.events",
                    source="test",
                )
                uow.outbox.add(message)
                await uow.commit()
                ids.append(message.event_id)
    return ids


async def test_relay_publishes_each_event_persistent_with_event_id_in_order(
    engine, broker, tap, amqp_url
) -> None:
    routing_key, received = tap
    ids = await _write(engine, routing_key, aggregates=3, per_aggregate=5)
    relay = OutboxRelay(engine, RabbitPublisher(amqp_url, "kohub-test"), batch_size=4)
    relay.start()
    try:
        await eventually(lambda: _len_at_least(received, len(ids)))
        # a later event: once it is in, nothing written before it is still on its way
        sentinel = await _write(engine, routing_key, aggregates=1, per_aggregate=1)
        await eventually(lambda: _len_at_least(received, len(ids) + 1))
    finally:
        await relay.stop()
    assert received[-1].message_id == sentinel[0]
    received = received[:-1]
    assert sorted(m.message_id for m in received) == sorted(ids)
    assert all(m.delivery_mode == aio_pika.DeliveryMode.PERSISTENT for m in received)
    bodies = [msgspec.json.decode(m.body) for m in received]
    assert all(b["eventId"] == m.message_id for b, m in zip(bodies, received, strict=True))
    for aggregate in range(3):
        sequence = [b["data"]["n"] for b in bodies if b["data"]["aggregate"] == aggregate]
        assert sequence == list(range(5)), "events of one aggregate must keep their order"


async def test_listen_notify_wakes_the_relay_without_waiting_for_the_poll(
    engine, broker, tap, amqp_url
) -> None:
    routing_key, received = tap
    relay = OutboxRelay(
        engine,
        RabbitPublisher(amqp_url, "kohub-test"),
        listen_dsn=asyncpg_dsn(engine.url.render_as_string(hide_password=False)),
        poll_interval=3600,  # only a notification can wake it
    )
    relay.start()
    try:
        await eventually(lambda: _true(relay.waiting))  # listening, with nothing to do
        ids = await _write(engine, routing_key, aggregates=1, per_aggregate=1)
        await eventually(lambda: _len_at_least(received, 1), timeout=10)
    finally:
        await relay.stop()
    assert [m.message_id for m in received] == ids


class _StallingPublisher:
    """Publishes for real, then hangs: the relay is stopped in the middle of a batch."""

    def __init__(self, inner: RabbitPublisher, publish_before_stall: int) -> None:
        self._inner = inner
        self._left = publish_before_stall
        self.stalled = asyncio.Event()

    async def publish(self, message: ClaimedMessage) -> None:
        if self._left <= 0:
            self.stalled.set()
            await asyncio.Event().wait()
        self._left -= 1
        await self._inner.publish(message)


async def test_relay_stopped_mid_batch_loses_nothing_and_the_inbox_dedupes(
    engine, broker, tap, amqp_url
) -> None:
    routing_key, received = tap
    ids = await _write(engine, routing_key, aggregates=10, per_aggregate=1)
    stalling = _StallingPublisher(RabbitPublisher(amqp_url, "kohub-test"), publish_before_stall=4)
    first = OutboxRelay(engine, stalling, batch_size=10)
    first.start()
    await asyncio.wait_for(stalling.stalled.wait(), timeout=10)
    await eventually(lambda: _len_at_least(received, 4))
    await first.stop()  # killed mid-batch: its claim rolls back

    second = OutboxRelay(engine, RabbitPublisher(amqp_url, "kohub-test"), batch_size=10)
    second.start()
    try:
        await eventually(lambda: _len_at_least(received, len(ids) + 4))
    finally:
        await second.stop()
    assert {m.message_id for m in received} == set(ids)

    sessions = session_factory(engine)
    effects = []
    for message in received:  # a consumer applies each delivery through the inbox
        async with sessions() as session, session.begin():
            if await first_delivery(session, "test-consumer", message.message_id):
                effects.append(message.message_id)
    assert sorted(effects) == sorted(ids), "each event takes effect exactly once"


class _FailingPublisher:
    async def publish(self, message: ClaimedMessage) -> None:
        raise ConnectionError("broker away")


async def test_failed_publish_is_retried_later_with_backoff(engine, broker, tap, amqp_url) -> None:
    routing_key, received = tap
    ids = await _write(engine, routing_key, aggregates=1, per_aggregate=1)
    failing = OutboxRelay(engine, _FailingPublisher())
    published, failed = await failing.relay_once()
    assert (published, failed) == (0, 1)
    async with engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    text(
                        "SELECT attempts, last_error, next_attempt_at > now() AS later, "
                        "published_at FROM outbox WHERE event_id = :id"
                    ),
                    {"id": ids[0]},
                )
            )
            .mappings()
            .one()
        )
    assert row["attempts"] == 1 and "broker away" in row["last_error"]
    assert row["later"] and row["published_at"] is None
    async with engine.begin() as conn:  # skip the wait
        await conn.execute(
            text("UPDATE outbox SET next_attempt_at = now() WHERE event_id = :id"), {"id": ids[0]}
        )
    assert await OutboxRelay(engine, RabbitPublisher(amqp_url, "kohub-test")).relay_once() == (1, 0)
    await eventually(lambda: _len_at_least(received, 1))


class _FailingAfter:
    """Publishes `good` messages for real, then fails every one."""

    def __init__(self, inner: RabbitPublisher, good: int) -> None:
        self._inner, self._left = inner, good

    async def publish(self, message: ClaimedMessage) -> None:
        if self._left <= 0:
            raise ConnectionError("broker away")
        self._left -= 1
        await self._inner.publish(message)


async def test_one_aggregates_backlog_goes_out_in_one_cycle_in_order(
    engine, broker, tap, amqp_url
) -> None:
    """An alert storm is thousands of rows of one aggregate: one claim takes the head and the
    rows behind it, and publishes them one after another."""
    routing_key, received = tap
    ids = await _write(engine, routing_key, aggregates=1, per_aggregate=30)
    relay = OutboxRelay(engine, RabbitPublisher(amqp_url, "kohub-test"), batch_size=200)
    assert await relay.relay_once() == (30, 0)
    await eventually(lambda: _len_at_least(received, 30))
    assert [m.message_id for m in received] == ids


async def test_a_failure_in_an_aggregates_chain_holds_back_the_rows_behind_it(
    engine, broker, tap, amqp_url
) -> None:
    routing_key, received = tap
    ids = await _write(engine, routing_key, aggregates=1, per_aggregate=5)
    failing = OutboxRelay(engine, _FailingAfter(RabbitPublisher(amqp_url, "kohub-test"), good=2))
    assert await failing.relay_once() == (2, 1)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT event_id, attempts, published_at IS NOT NULL AS sent FROM outbox "
                    "WHERE event_id = ANY(:ids) ORDER BY id"
                ),
                {"ids": ids},
            )
        ).all()
    assert [(r.sent, r.attempts) for r in rows] == [
        (True, 1),
        (True, 1),
        (False, 1),  # failed, in backoff
        (False, 0),  # untouched: nothing overtakes the failed row
        (False, 0),
    ]
    # while the third row waits out its backoff, the rows behind it stay unclaimed
    assert await OutboxRelay(engine, _FailingPublisher()).relay_once() == (0, 0)
    await eventually(lambda: _len_at_least(received, 2))
    assert [m.message_id for m in received] == ids[:2]


async def test_inbox_first_delivery_only_once(engine) -> None:
    sessions = session_factory(engine)
    message_id = str(uuid.uuid4())
    outcomes = []
    for _ in range(3):
        async with sessions() as session, session.begin():
            outcomes.append(await first_delivery(session, "c1", message_id))
    async with sessions() as session, session.begin():
        outcomes.append(await first_delivery(session, "c2", message_id))
    assert outcomes == [True, False, False, True]


async def _true(value: bool) -> bool:
    return value


async def _len_at_least(items: list, n: int) -> bool:
    return len(items) >= n


async def test_old_inbox_entries_are_pruned(engine) -> None:
    sessions = session_factory(engine)
    old, recent = str(uuid.uuid4()), str(uuid.uuid4())
    async with sessions() as session, session.begin():
        await first_delivery(session, "pruned", old)
        await first_delivery(session, "pruned", recent)
        await session.execute(
            text(
                "UPDATE inbox SET received_at = now() - interval '30 days' WHERE message_id = :id"
            ),
            {"id": old},
        )
    assert await prune_inbox(engine) >= 1
    async with sessions() as session:
        left = (
            (await session.execute(text("SELECT message_id FROM inbox WHERE consumer = 'pruned'")))
            .scalars()
            .all()
        )
    assert left == [recent]
