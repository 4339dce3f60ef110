"""What a service runs beside its HTTP API, started and stopped by the app's lifespan:
the broker (the suite's topology declared, consumers attached), the outbox relay and
periodic jobs. A service whose broker is away still starts: HTTP answers, `/ready` says
503, and the broker is retried in the background."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from faststream.rabbit import RabbitBroker
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from kohub_platform.inbox import prune_inbox
from kohub_platform.messaging import declare_topology
from kohub_platform.ordered import OrderedBatchConsumer
from kohub_platform.relay import OutboxRelay

log = structlog.get_logger("kohub.runtime")
BROKER_START_SECONDS = 5.0
INBOX_PRUNE_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    name: str
    interval: float
    run: Callable[[], Awaitable[Any]]


@dataclass
class Runtime:
    engine: AsyncEngine | None = None
    broker: RabbitBroker | None = None
    relay: OutboxRelay | None = None
    jobs: Sequence[PeriodicJob] = ()
    ordered_consumers: Sequence[OrderedBatchConsumer] = ()
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @contextlib.asynccontextmanager
    async def lifespan(self, _: Litestar) -> AsyncIterator[None]:
        jobs = list(self.jobs)
        if self.engine is not None and self.broker is not None:  # a service with consumers
            engine = self.engine
            jobs.append(
                PeriodicJob("prune-inbox", INBOX_PRUNE_SECONDS, lambda: prune_inbox(engine))
            )
        self._tasks = [asyncio.create_task(_every(job), name=job.name) for job in jobs]
        if self.broker is not None and not await self._start_broker(timeout=BROKER_START_SECONDS):
            # RabbitMQ is away: serve HTTP anyway (/ready says so), keep trying in the background.
            self._tasks.append(asyncio.create_task(self._keep_starting_broker(), name="broker"))
        if self.relay is not None:
            self.relay.start()
        for consumer in self.ordered_consumers:
            consumer.start()
        try:
            yield
        finally:
            for task in self._tasks:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for consumer in self.ordered_consumers:
                await consumer.stop()
            if self.relay is not None:
                await self.relay.stop()
            if self.broker is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.broker.stop(), timeout=15)
            if self.engine is not None:
                await self.engine.dispose()

    async def _start_broker(self, timeout: float) -> bool:
        """Connect, declare the suite's topology, start the consumers."""
        assert self.broker is not None
        try:
            await asyncio.wait_for(self.broker.connect(), timeout=timeout)
            await declare_topology(self.broker)
            await self.broker.start()
        except Exception as exc:
            log.warning("broker unavailable", error=f"{type(exc).__name__}: {exc}")
            return False
        return True

    async def _keep_starting_broker(self) -> None:
        delay = 1.0
        while not await self._start_broker(timeout=10):
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
        log.info("broker connected; consumers started")

    def ready_checks(self) -> dict[str, Callable[[], Awaitable[None]]]:
        checks: dict[str, Callable[[], Awaitable[None]]] = {}
        engine, broker = self.engine, self.broker
        if engine is not None:

            async def database() -> None:
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))

            checks["database"] = database
        if broker is not None:

            async def rabbitmq() -> None:
                if not await broker.ping(timeout=2.0):
                    raise ConnectionError("broker unreachable")

            checks["broker"] = rabbitmq
        for consumer in self.ordered_consumers:

            async def connected(consumer: OrderedBatchConsumer = consumer) -> None:
                if not consumer.connected:
                    raise ConnectionError("ordered consumer not connected")

            checks[f"consumer {consumer.name}"] = connected
        return checks


async def _every(job: PeriodicJob) -> None:
    while True:
        try:
            await job.run()
        except Exception as exc:  # a job failing once must not stop it for good
            log.warning("periodic job failed", job=job.name, error=str(exc))
        await asyncio.sleep(job.interval)
