"""Storing webhook requests with group commit.

Each request waits for its own commit, but requests that arrive while a transaction is being
written share the next one: one BEGIN, three multi-row INSERTs and one COMMIT (one WAL flush)
for a batch instead of for every request. Alone, a request is written at once; under a storm,
batches grow and throughput follows. A failed batch fails each of its requests (the tool
retries), so nothing is answered 2xx that was not committed.
"""

import asyncio
from dataclasses import dataclass
from typing import Any

import structlog
from prometheus_client import Histogram
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from kohub_adapter.adapters.messaging.mapping import (
    alert_message,
    alert_received,
    observation_message,
)
from kohub_adapter.adapters.postgres.tables import adapter_events, alerts
from kohub_adapter.application.ports import IngestRecord
from kohub_contracts.enums import AlertOutcome
from kohub_platform.outbox import OUTBOX, OutboxMessage

log = structlog.get_logger("kohub.ingest")
MAX_BATCH = 500
CONTENT_TYPE_LIMIT = 200  # the column's length: a longer header is kept cut, not refused
BATCH_SIZE = Histogram(
    "kohub_adapter_ingest_batch_size",
    "Webhook requests committed per transaction",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
)


@dataclass(slots=True)
class _Rows:
    events: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    outbox: list[dict[str, Any]]


def _rows(record: IngestRecord) -> _Rows:
    request = record.request
    alert_rows: list[dict[str, Any]] = []
    messages: list[OutboxMessage] = []
    for alert_id, alert in record.published + record.unrouted:
        routed = alert.org_id is not None
        alert_rows.append(
            {
                "id": alert_id,
                "adapter_event_id": record.adapter_event_id,
                "source_id": record.source_id,
                "adapter_type": alert.adapter.value,
                "fingerprint": alert.fingerprint,
                "source_event_id": alert.source_event_id,
                "state": alert.state.value,
                "priority": alert.priority.value,
                "title": alert.title,
                "host_id": alert.host.host_id if alert.host else None,
                "host_name": alert.host.name if alert.host else None,
                "org_id": alert.org_id,
                "links": alert.links,
                "occurred_at": alert.occurred_at,
                "received_at": request.received_at,
                "outcome": None if routed else AlertOutcome.IGNORED.value,
                "processed_at": None if routed else request.received_at,
            }
        )
        if routed and record.source_id is not None:
            messages.append(
                alert_message(
                    alert_received(alert_id, record.adapter_event_id, record.source_id, alert)
                )
            )
    messages.extend(observation_message(o, request.adapter_type.value) for o in record.observations)
    event_row = {
        "id": record.adapter_event_id,
        "source_id": record.source_id,
        "adapter_type": request.adapter_type.value,
        "event_type": record.event_type,
        "status": record.status.value,
        "content_type": (request.content_type or "")[:CONTENT_TYPE_LIMIT] or None,
        "headers": request.headers,
        "body": request.body,
        "error": record.error,
        "alert_count": len(alert_rows),
        "pending_alerts": len(record.published),
        "received_at": request.received_at,
        "processed_at": None if record.published else request.received_at,
    }
    outbox_rows = [
        {
            "event_id": m.event_id,
            "event_type": m.event_type,
            "aggregate_id": m.aggregate_id,
            "exchange": m.exchange,
            "routing_key": m.routing_key,
            "body": m.body,
            "correlation_id": m.correlation_id,
        }
        for m in messages
    ]
    return _Rows([event_row], alert_rows, outbox_rows)


def _unreachable(exc: DBAPIError) -> bool:
    """The database is away (so is every request of the batch), not refusing one value."""
    return exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))


class GroupCommitIngestStore:
    def __init__(self, engine: AsyncEngine, *, max_batch: int = MAX_BATCH) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._waiting: list[tuple[_Rows, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def store(self, record: IngestRecord) -> None:
        # rows (and the envelopes' correlation ids) are built here, in the request's context
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((_rows(record), future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all())
        await asyncio.shield(future)

    async def _write_all(self) -> None:
        while self._waiting:
            batch = self._waiting[: self._max_batch]
            del self._waiting[: self._max_batch]
            try:
                await self._write(batch)
            except DBAPIError as exc:
                if len(batch) == 1 or _unreachable(exc):
                    self._fail(batch, exc)
                    continue
                # one request the database refuses must not fail its neighbours: alone again
                log.warning("webhook batch refused; storing one by one", error=str(exc))
                for one in batch:
                    await self._settle([one])
            except Exception as exc:
                self._fail(batch, exc)
            else:
                self._succeed(batch)

    async def _settle(self, batch: list[tuple[_Rows, asyncio.Future[None]]]) -> None:
        try:
            await self._write(batch)
        except Exception as exc:
            self._fail(batch, exc)
        else:
            self._succeed(batch)

    @staticmethod
    def _succeed(batch: list[tuple[_Rows, asyncio.Future[None]]]) -> None:
        BATCH_SIZE.observe(len(batch))
        for _, future in batch:
            if not future.done():
                future.set_result(None)

    @staticmethod
    def _fail(batch: list[tuple[_Rows, asyncio.Future[None]]], exc: Exception) -> None:
        log.warning("webhook requests not stored", requests=len(batch), error=str(exc))
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)

    async def _write(self, batch: list[tuple[_Rows, asyncio.Future[None]]]) -> None:
        events = [row for rows, _ in batch for row in rows.events]
        alert_rows = [row for rows, _ in batch for row in rows.alerts]
        outbox_rows = [row for rows, _ in batch for row in rows.outbox]
        async with self._engine.begin() as conn:
            await conn.execute(insert(adapter_events), events)
            if alert_rows:
                await conn.execute(insert(alerts), alert_rows)
            if outbox_rows:
                await conn.execute(insert(OUTBOX), outbox_rows)
