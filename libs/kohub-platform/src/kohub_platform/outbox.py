"""The transactional outbox: events are rows written with the state that caused them, and a
relay publishes them after commit.

The relay claims rows with `FOR UPDATE SKIP LOCKED`, so several replicas share the work;
a row is only claimed when no earlier row of the same aggregate is still unpublished, so
events of one aggregate reach the broker in order. It wakes on `LISTEN/NOTIFY`, polls as a
fallback, and backs off per row when publishing fails.
"""

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import uuid4

import asyncpg
import msgspec
import structlog
from prometheus_client import Counter, Gauge
from sqlalchemy import (
    DDL,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    event,
    func,
    insert,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from kohub_contracts.envelope import Envelope
from kohub_platform.logs import current_correlation_id

log = structlog.get_logger("kohub.outbox")
NOTIFY_CHANNEL = "kohub_outbox"

PUBLISHED = Counter("kohub_outbox_published_total", "Outbox rows published", ["exchange"])
FAILED = Counter("kohub_outbox_publish_failures_total", "Failed outbox publish attempts")
LAST_BATCH = Gauge("kohub_outbox_last_batch_size", "Rows claimed by the last relay cycle")


def outbox_table(metadata: MetaData) -> Table:
    table = Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("event_type", String(100), nullable=False),
        Column("aggregate_id", String(100), nullable=False),
        Column("exchange", String(100), nullable=False),
        Column("routing_key", String(200), nullable=False),
        Column("body", LargeBinary, nullable=False),
        Column("correlation_id", String(100)),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column(
            "next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()
        ),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text),
        Column("published_at", DateTime(timezone=True)),
        Index("ix_outbox_pending", "id", postgresql_where=text("published_at IS NULL")),
        Index(
            "ix_outbox_pending_aggregate",
            "aggregate_id",
            "id",
            postgresql_where=text("published_at IS NULL"),
        ),
    )
    event.listen(table, "after_create", DDL(OUTBOX_NOTIFY_FUNCTION))
    event.listen(table, "after_create", DDL(OUTBOX_NOTIFY_TRIGGER))
    return table


# Wakes the relays (LISTEN kohub_outbox) when a transaction that wrote outbox rows commits;
# PostgreSQL folds the notifications of one transaction into one. Each service's migration
# creates it; `metadata.create_all` does too (tests).
OUTBOX_NOTIFY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION kohub_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{NOTIFY_CHANNEL}', '');
    RETURN NULL;
END $$
"""
OUTBOX_NOTIFY_TRIGGER = """
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION kohub_outbox_notify()
"""

_METADATA = MetaData()
OUTBOX = outbox_table(_METADATA)


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    event_id: str
    event_type: str
    aggregate_id: str
    exchange: str
    routing_key: str
    body: bytes
    correlation_id: str | None = None


def envelope_message(
    *,
    event_type: str,
    data: Any,
    aggregate_id: str,
    exchange: str,
    source: str,
    occurred_at: datetime | None = None,
    routing_key: str | None = None,
) -> OutboxMessage:
    """Wrap contract `data` in the seed's envelope; `eventId` becomes the AMQP message_id."""
    event_id = str(uuid4())
    envelope = Envelope(
        event_id=event_id,
        event_type=event_type,
        timestamp=occurred_at or datetime.now(UTC),
        source=source,
        data=data,
    )
    return OutboxMessage(
        event_id=event_id,
        event_type=event_type,
        aggregate_id=aggregate_id,
        exchange=exchange,
        routing_key=routing_key or event_type,
        body=msgspec.json.encode(envelope),
        correlation_id=current_correlation_id(),
    )


@dataclass(slots=True)
class OutboxBuffer:
    """Messages recorded during a unit of work, inserted just before its commit."""

    pending: list[OutboxMessage] = field(default_factory=list)

    def add(self, message: OutboxMessage) -> None:
        self.pending.append(message)

    async def flush(self, session: AsyncConnection) -> None:
        if not self.pending:
            return
        rows = [
            {
                "event_id": m.event_id,
                "event_type": m.event_type,
                "aggregate_id": m.aggregate_id,
                "exchange": m.exchange,
                "routing_key": m.routing_key,
                "body": m.body,
                "correlation_id": m.correlation_id,
            }
            for m in self.pending
        ]
        # The table's trigger notifies the relays; PostgreSQL delivers it at commit.
        await session.execute(insert(OUTBOX), rows)
        self.pending.clear()


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    id: int
    event_id: str
    event_type: str
    exchange: str
    routing_key: str
    body: bytes
    correlation_id: str | None
    attempts: int


class Publisher(Protocol):
    async def publish(self, message: ClaimedMessage) -> None:
        """Publish and wait for the broker's confirm; raise when it was not confirmed."""

    async def close(self) -> None:
        """Release the publisher's connection."""


_CLAIM = text(
    """
    SELECT o.id, o.event_id, o.event_type, o.exchange, o.routing_key, o.body,
           o.correlation_id, o.attempts
    FROM outbox o
    WHERE o.published_at IS NULL
      AND o.next_attempt_at <= now()
      AND NOT EXISTS (
          SELECT 1 FROM outbox e
          WHERE e.aggregate_id = o.aggregate_id AND e.published_at IS NULL AND e.id < o.id
      )
    ORDER BY o.id
    LIMIT :limit
    FOR UPDATE OF o SKIP LOCKED
    """
)
_MARK_PUBLISHED = text(
    "UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL "
    "WHERE id = ANY(:ids)"
)
_MARK_FAILED = text(
    "UPDATE outbox SET attempts = attempts + 1, last_error = :error, "
    "next_attempt_at = now() + make_interval(secs => :delay) WHERE id = :id"
)
_PRUNE = text(
    "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE published_at < "
    "now() - make_interval(hours => :hours) LIMIT 5000)"
)


def backoff_seconds(attempts: int, base: float = 0.5, cap: float = 60.0) -> float:
    """Exponential backoff with jitter: 0.5 s, 1 s, 2 s … capped at a minute."""
    delay = min(cap, base * (2 ** max(0, attempts)))
    return delay * random.uniform(0.8, 1.2)


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        publisher: Publisher,
        *,
        listen_dsn: str | None = None,
        batch_size: int = 200,
        poll_interval: float = 1.0,
        retention_hours: int = 72,
        on_batch: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        self._engine = engine
        self._publisher = publisher
        self._listen_dsn = listen_dsn
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._retention_hours = retention_hours
        self._on_batch = on_batch
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self.run(), name="outbox-relay")

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._close_listener()
        close = getattr(self._publisher, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                await close()

    async def run(self) -> None:
        broker_failures = 0
        cycles = 0
        while not self._stopping.is_set():
            await self._ensure_listener()
            try:
                published, failed = await self.relay_once()
                broker_failures = broker_failures + 1 if failed and not published else 0
            except Exception as exc:  # database away: keep trying, never die
                log.warning("outbox relay cycle failed", error=str(exc))
                published, broker_failures = 0, broker_failures + 1
            cycles += 1
            if cycles % 600 == 0:
                await self._prune()
            if published and not broker_failures:
                continue  # more may be waiting
            timeout = (
                backoff_seconds(broker_failures - 1, base=0.5, cap=15.0)
                if broker_failures
                else self._poll_interval
            )
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)

    async def relay_once(self) -> tuple[int, int]:
        """Claim one batch, publish it, record the outcome. Returns (published, failed)."""
        async with self._engine.begin() as conn:
            rows = (await conn.execute(_CLAIM, {"limit": self._batch_size})).all()
            LAST_BATCH.set(len(rows))
            if not rows:
                return 0, 0
            claimed = [ClaimedMessage(*row) for row in rows]
            outcomes = await asyncio.gather(
                *(self._publisher.publish(m) for m in claimed), return_exceptions=True
            )
            ok_ids = [m.id for m, out in zip(claimed, outcomes, strict=True) if out is None]
            failures = [
                (m, out) for m, out in zip(claimed, outcomes, strict=True) if out is not None
            ]
            if ok_ids:
                await conn.execute(_MARK_PUBLISHED, {"ids": ok_ids})
            for message, error in failures:
                FAILED.inc()
                await conn.execute(
                    _MARK_FAILED,
                    {
                        "id": message.id,
                        "error": f"{type(error).__name__}: {error}"[:2000],
                        "delay": backoff_seconds(message.attempts),
                    },
                )
        for m, out in zip(claimed, outcomes, strict=True):
            if out is None:
                PUBLISHED.labels(m.exchange).inc()
        if failures:
            log.warning(
                "outbox publish failed",
                failed=len(failures),
                published=len(ok_ids),
                error=str(failures[0][1]),
            )
        if self._on_batch is not None:
            await self._on_batch(len(ok_ids))
        return len(ok_ids), len(failures)

    async def _prune(self) -> None:
        try:
            async with self._engine.begin() as conn:
                await conn.execute(_PRUNE, {"hours": self._retention_hours})
        except Exception as exc:
            log.warning("outbox prune failed", error=str(exc))

    async def _ensure_listener(self) -> None:
        if self._listen_dsn is None or (
            self._listener is not None and not self._listener.is_closed()
        ):
            return
        try:
            self._listener = await asyncpg.connect(self._listen_dsn, timeout=5)
            await self._listener.add_listener(NOTIFY_CHANNEL, self._notified)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("outbox listen unavailable; polling", error=str(exc))
            self._listener = None

    def _notified(self, *_: Any) -> None:
        self._wake.set()

    async def _close_listener(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close(timeout=2)
            self._listener = None
