"""The adapter gateway's tables (SQLAlchemy Core). Alembic migrations create them."""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
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

webhook_sources = Table(
    "webhook_sources",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("adapter_type", String(30), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("token_hint", String(16), nullable=False),
    Column("hmac_secret", LargeBinary),  # encrypted (Fernet) with KOHUB_SECRET_KEYS
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column("default_org_id", UUID(as_uuid=True)),
    Column("priority_overrides", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("rate_limit_per_minute", Integer),
    Column("token_rotated_at", TS),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
)

# Every webhook request as received, committed before the tool gets its 2xx.
adapter_events = Table(
    "adapter_events",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("source_id", UUID(as_uuid=True)),
    Column("adapter_type", String(30), nullable=False),
    Column("event_type", String(50)),
    Column("status", String(20), nullable=False),
    Column("content_type", String(200)),
    Column("headers", JSONB, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("error", Text),
    Column("alert_count", Integer, nullable=False, server_default="0"),
    Column("pending_alerts", Integer, nullable=False, server_default="0"),
    Column("created_ticket_id", UUID(as_uuid=True)),
    Column("received_at", TS, nullable=False),
    Column("processed_at", TS),
    Index("ix_adapter_events_received", text("received_at DESC"), "id"),
    Index("ix_adapter_events_status_received", "status", text("received_at DESC"), "id"),
    Index("ix_adapter_events_source_received", "source_id", text("received_at DESC")),
)

# One row per normalized alert (a request of Alertmanager carries several).
alerts = Table(
    "alerts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("adapter_event_id", UUID(as_uuid=True), nullable=False),
    Column("source_id", UUID(as_uuid=True), nullable=False),
    Column("adapter_type", String(30), nullable=False),
    Column("fingerprint", String(300), nullable=False),
    Column("source_event_id", String(300), nullable=False),
    Column("state", String(10), nullable=False),
    Column("priority", String(10), nullable=False),
    Column("title", String(200), nullable=False),
    Column("host_id", UUID(as_uuid=True)),
    Column("host_name", String(200)),
    Column("org_id", UUID(as_uuid=True)),
    Column("links", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("occurred_at", TS, nullable=False),
    Column("received_at", TS, nullable=False),
    Column("outcome", String(20)),
    Column("ticket_id", UUID(as_uuid=True)),
    Column("ticket_key", String(32)),
    Column("processed_at", TS),
    Index("ix_alerts_received", text("received_at DESC"), "id"),
    Index("ix_alerts_org_received", "org_id", text("received_at DESC"), "id"),
    Index("ix_alerts_host_occurred", "host_id", "occurred_at"),
    Index("ix_alerts_adapter_event", "adapter_event_id"),
)

# The host-mapping read model, fed by host.* and organization.upserted.
mapped_hosts = Table(
    "mapped_hosts",
    metadata,
    Column("host_id", UUID(as_uuid=True), primary_key=True),
    Column("org_id", UUID(as_uuid=True), nullable=False),
    Column("name", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("maintenance_until", TS),
    Column("adapters", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("version", Integer, nullable=False),
    Column("updated_at", TS, nullable=False, server_default=func.now()),
)

organizations = Table(
    "organizations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", String(200)),
    Column("updated_at", TS, nullable=False, server_default=func.now()),
)

# Each operator's Termix API key (Termix answers with the key owner's recordings only).
terminal_credentials = Table(
    "terminal_credentials",
    metadata,
    Column("user_id", String(255), primary_key=True),  # the token's subject
    Column("ciphertext", LargeBinary, nullable=False),  # encrypted (Fernet), KOHUB_SECRET_KEYS
    Column("key_hint", String(32), nullable=False),
    Column("updated_at", TS, nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
