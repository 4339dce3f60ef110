"""The transactional outbox: events are rows written with the state that caused them, in the
same transaction; `kohub_platform.relay` publishes them after commit."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import msgspec
import structlog
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
from sqlalchemy.ext.asyncio import AsyncConnection

from kohub_contracts.envelope import Envelope
from kohub_platform.logs import current_correlation_id

log = structlog.get_logger("kohub.outbox")
NOTIFY_CHANNEL = "kohub_outbox"


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
