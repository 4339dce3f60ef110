"""The integration service's tables (SQLAlchemy Core). Alembic migrations create them."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from kohub_platform.db import service_metadata
from kohub_platform.inbox import inbox_table
from kohub_platform.outbox import outbox_table

metadata = service_metadata()
TS = DateTime(timezone=True)

# One row per kohub ticket KustHub knows about: its link and the sync status last reported
# to the ticket service (`sync_seq` orders those reports).
ticket_links = Table(
    "ticket_links",
    metadata,
    Column("ticket_id", UUID(as_uuid=True), primary_key=True),
    Column("ticket_key", String(32)),
    Column("org_id", UUID(as_uuid=True)),
    Column("kusthub_ticket_id", String(100)),
    Column("sync_status", String(20), nullable=False, server_default="NONE"),
    Column("sync_seq", BigInteger, nullable=False, server_default="0"),
    Column("sync_reason", Text),
    Column("updated_at", TS, nullable=False, server_default=func.now()),
    Index(
        "uq_ticket_links_kusthub",
        "kusthub_ticket_id",
        unique=True,
        postgresql_where=text("kusthub_ticket_id IS NOT NULL"),
    ),
    Index("ix_ticket_links_key", "ticket_key"),
)

# Seed §4.4. Outbound rows share their id with the envelope's eventId (and the outbox
# row's); inbound rows keep KustHub's eventId in `event_id`.
ticket_sync_events = Table(
    "ticket_sync_events",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    # the order rows were written in (a batch shares one created_at)
    Column("seq", BigInteger, Identity(always=True), nullable=False, unique=True),
    Column("ticket_id", UUID(as_uuid=True)),
    Column("event_id", String(100), nullable=False),
    Column("event_type", String(50), nullable=False),
    Column("direction", String(10), nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("status", String(20), nullable=False),
    Column("retry_count", Integer, nullable=False, server_default="0"),
    Column("error", Text),
    Column("command_id", String(64)),
    Column("created_at", TS, nullable=False, server_default=func.now()),
    Column("processed_at", TS),
    Index("uq_ticket_sync_events_direction_event", "direction", "event_id", unique=True),
    Index("ix_ticket_sync_events_ticket", "ticket_id", "seq"),
    Index(
        "ix_ticket_sync_events_unsent",
        "ticket_id",
        postgresql_where=text("direction = 'OUTBOUND' AND status IN ('PENDING', 'FAILED')"),
    ),
    Index("ix_ticket_sync_events_command", "command_id", unique=True),
    Index("ix_ticket_sync_events_status", "status", "seq"),
)

# Messages the integration's queues gave up on (their .dlq), kept for inspection and replay.
dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("queue", String(200), nullable=False),
    Column("message_id", String(200)),
    Column("exchange", String(200)),
    Column("routing_key", String(200)),
    Column("reason", Text, nullable=False),
    Column("deliveries", Integer),
    Column("body", LargeBinary, nullable=False),
    Column("headers", JSONB, nullable=False, server_default="{}"),
    Column("received_at", TS, nullable=False, server_default=func.now()),
    Column("replayed_at", TS),
    Index("ix_dead_letters_received", text("received_at DESC")),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
