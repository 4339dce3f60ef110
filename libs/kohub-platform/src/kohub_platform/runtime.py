"""What a service runs beside its HTTP API, started and stopped by the app's lifespan:
the broker (topology declared, consumers attached), the outbox relay and periodic jobs."""

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

from kohub_platform.messaging import ConsumerQueue, declare_topology
from kohub_platform.relay import OutboxRelay

log = structlog.get_logger("kohub.runtime")


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
    queues: Sequence[ConsumerQueue] = ()
    jobs: Sequence[PeriodicJob] = ()
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @contextlib.asynccontextmanager
    async def lifespan(self, _: Litestar) -> AsyncIterator[None]:
        if self.broker is not None:
            await self.broker.connect()
            await declare_topology(self.broker, self.queues)
            await self.broker.start()
        if self.relay is not None:
            self.relay.start()
        self._tasks = [asyncio.create_task(_every(job), name=job.name) for job in self.jobs]
        try:
            yield
        finally:
            for task in self._tasks:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if self.relay is not None:
                await self.relay.stop()
            if self.broker is not None:
                await self.broker.stop()
            if self.engine is not None:
                await self.engine.dispose()

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
        return checks


async def _every(job: PeriodicJob) -> None:
    while True:
        try:
            await job.run()
        except Exception as exc:  # a job failing once must not stop it for good
            log.warning("periodic job failed", job=job.name, error=str(exc))
        await asyncio.sleep(job.interval)
