"""The outbox relay: publishes committed outbox rows after the fact.

It claims rows with `FOR UPDATE SKIP LOCKED`, so several replicas share the work; a row is
only claimed when no earlier row of the same aggregate is still unpublished, so events of
one aggregate reach the broker in order. With an aggregate's first pending row locked, the
relay also takes the rows behind it and publishes them one after another (an alert storm
is thousands of rows of one aggregate), other aggregates in parallel. It wakes on
`LISTEN/NOTIFY`, polls as a fallback, and backs off per row when publishing fails.
"""

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
import structlog
from prometheus_client import Counter, Gauge
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from kohub_platform.outbox import NOTIFY_CHANNEL

log = structlog.get_logger("kohub.outbox")
PUBLISHED = Counter("kohub_outbox_published_total", "Outbox rows published", ["exchange"])
FAILED = Counter("kohub_outbox_publish_failures_total", "Failed outbox publish attempts")
LAST_BATCH = Gauge("kohub_outbox_last_batch_size", "Rows claimed by the last relay cycle")


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


Failure = tuple[ClaimedMessage, BaseException]
SettledHook = Callable[[Any, list[ClaimedMessage], list[Failure]], Awaitable[None]]
"""Called in the relay's transaction with what was confirmed and what failed, so a service
can keep its own bookkeeping (the integration's sync events) exactly in step."""


class Publisher(Protocol):
    async def publish(self, message: ClaimedMessage) -> None:
        """Publish and wait for the broker's confirm; raise when it was not confirmed."""

    async def close(self) -> None:
        """Release the publisher's connection."""


_CLAIM = text(
    """
    SELECT o.id, o.event_id, o.event_type, o.exchange, o.routing_key, o.body,
           o.correlation_id, o.attempts, o.aggregate_id
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
# The rows behind the claimed heads: nobody else can claim them while their head is locked.
_CLAIM_FOLLOWERS = text(
    """
    SELECT o.id, o.event_id, o.event_type, o.exchange, o.routing_key, o.body,
           o.correlation_id, o.attempts, o.aggregate_id, o.next_attempt_at <= now() AS due
    FROM outbox o
    WHERE o.aggregate_id = ANY(:aggregates) AND o.published_at IS NULL
      AND o.id <> ALL(:heads)
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
PRUNE_BATCH = 5000
PRUNE_EVERY_SECONDS = 600.0
_PRUNE = text(
    "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE published_at < "
    "now() - make_interval(hours => :hours) LIMIT :batch)"
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
        on_settled: SettledHook | None = None,
    ) -> None:
        self._engine = engine
        self._publisher = publisher
        self._listen_dsn = listen_dsn
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._retention_hours = retention_hours
        self._on_batch = on_batch
        self._on_settled = on_settled
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None
        self.waiting = False
        """True while the relay sleeps until a notification or its next poll."""

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
        next_prune = 0.0
        while not self._stopping.is_set():
            # cleared before the cycle: a notification that lands during it wakes the next one
            self._wake.clear()
            try:
                await self._ensure_listener()
                published, failed = await self.relay_once()
                broker_failures = broker_failures + 1 if failed and not published else 0
            except Exception as exc:  # database away: keep trying, never die
                log.warning("outbox relay cycle failed", error=str(exc))
                published, broker_failures = 0, broker_failures + 1
            if time.monotonic() >= next_prune:
                await self._prune()
                next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
            if published and not broker_failures:
                continue  # more may be waiting
            timeout = (
                backoff_seconds(broker_failures - 1, base=0.5, cap=15.0)
                if broker_failures
                else self._poll_interval
            )
            self.waiting = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            self.waiting = False

    async def relay_once(self) -> tuple[int, int]:
        """Claim one batch, publish it, record the outcome. Returns (published, failed)."""
        async with self._engine.begin() as conn:
            heads = (await conn.execute(_CLAIM, {"limit": self._batch_size})).all()
            LAST_BATCH.set(len(heads))
            if not heads:
                return 0, 0
            chains = await self._chains(conn, heads)
            results = await asyncio.gather(*(self._publish_in_order(c) for c in chains))
            published = [m for done, _ in results for m in done]
            failures = [failure for _, failure in results if failure is not None]
            if published:
                await conn.execute(_MARK_PUBLISHED, {"ids": [m.id for m in published]})
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
            if self._on_settled is not None:
                await self._on_settled(conn, published, failures)
        for m in published:
            PUBLISHED.labels(m.exchange).inc()
        if failures:
            log.warning(
                "outbox publish failed",
                failed=len(failures),
                published=len(published),
                error=str(failures[0][1]),
            )
        if self._on_batch is not None:
            await self._on_batch(len(published))
        return len(published), len(failures)

    async def _chains(self, conn: Any, heads: list[Any]) -> list[list[ClaimedMessage]]:
        """Per aggregate, its head and the due rows behind it, in order (a row in backoff
        ends its chain: nothing may overtake it)."""
        chains = {h.aggregate_id: [ClaimedMessage(*h[:8])] for h in heads}
        room = self._batch_size - len(heads)
        if room > 0:
            followers = await conn.execute(
                _CLAIM_FOLLOWERS,
                {"aggregates": list(chains), "heads": [h.id for h in heads], "limit": room},
            )
            stopped: set[str] = set()
            for row in followers:
                if row.aggregate_id in stopped or not row.due:
                    stopped.add(row.aggregate_id)
                    continue
                chains[row.aggregate_id].append(ClaimedMessage(*row[:8]))
        return list(chains.values())

    async def _publish_in_order(
        self, chain: list[ClaimedMessage]
    ) -> tuple[list[ClaimedMessage], tuple[ClaimedMessage, BaseException] | None]:
        """Publish one aggregate's rows one after another; stop at the first failure."""
        done: list[ClaimedMessage] = []
        for message in chain:
            try:
                await self._publisher.publish(message)
            except Exception as exc:
                return done, (message, exc)
            done.append(message)
        return done, None

    async def _prune(self) -> None:
        """Published rows older than the retention go, in batches, until none are left."""
        try:
            while True:
                async with self._engine.begin() as conn:
                    result = await conn.execute(
                        _PRUNE, {"hours": self._retention_hours, "batch": PRUNE_BATCH}
                    )
                if result.rowcount < PRUNE_BATCH:
                    return
        except Exception as exc:
            log.warning("outbox prune failed", error=str(exc))

    async def _ensure_listener(self) -> None:
        if self._listen_dsn is None or (
            self._listener is not None and not self._listener.is_closed()
        ):
            return
        listener = None
        try:
            listener = await asyncpg.connect(self._listen_dsn, timeout=5)
            await listener.add_listener(NOTIFY_CHANNEL, self._notified)
            self._listener = listener
        except Exception as exc:  # the relay polls meanwhile; never let this stop it
            log.warning("outbox listen unavailable; polling", error=str(exc))
            if listener is not None:
                with contextlib.suppress(Exception):
                    await listener.close(timeout=2)
            self._listener = None

    def _notified(self, *_: Any) -> None:
        self._wake.set()

    async def _close_listener(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close(timeout=2)
            self._listener = None
