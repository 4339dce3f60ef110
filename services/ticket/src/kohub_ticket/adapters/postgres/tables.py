"""The ticket service's tables (SQLAlchemy Core). Alembic migrations create them."""

from sqlalchemy import (
    BigInteger,
    Column,
    Computed,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from kohub_platform.db import service_metadata
from kohub_platform.inbox import inbox_table
from kohub_platform.outbox import outbox_table
from kohub_platform.users import users_table

metadata = service_metadata()
TS = DateTime(timezone=True)

organizations = Table(
    "organizations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", String(200)),
    Column("updated_at", TS, nullable=False, server_default=func.now()),
)

users = users_table(metadata)

hosts = Table(
    "hosts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("org_id", UUID(as_uuid=True), nullable=False),
    Column("name", String(200), nullable=False),
    Column("status", String(20), nullable=False, server_default="ACTIVE"),
    Column("version", Integer, nullable=False, server_default="0"),
    Column("updated_at", TS, nullable=False, server_default=func.now()),
)

PRIORITY_RANK_SQL = (
    "CASE priority WHEN 'CRITICAL' THEN 4 WHEN 'HIGH' THEN 3 WHEN 'MEDIUM' THEN 2 ELSE 1 END"
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("key", String(32), nullable=False, unique=True),
    Column("org_id", UUID(as_uuid=True), nullable=False),
    Column("host_id", UUID(as_uuid=True)),
    Column("reporter_id", UUID(as_uuid=True), ForeignKey("users.id")),
    Column("assignee_id", UUID(as_uuid=True), ForeignKey("users.id")),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("source", String(30), nullable=False),
    Column("source_event_id", String(200)),
    Column("status", String(20), nullable=False),
    Column("priority", String(10), nullable=False),
    Column("priority_rank", SmallInteger, Computed(PRIORITY_RANK_SQL, persisted=True)),
    Column("resolution_summary", Text),
    Column("external_system", String(50)),
    Column("external_ticket_id", String(100)),
    Column("sync_status", String(20), nullable=False, server_default="NONE"),
    # the sequence of the bridge's last sync report: an older one arriving late is ignored
    Column("sync_seq", BigInteger, nullable=False, server_default="0"),
    Column("received_at", TS),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index("ix_tickets_org_status_created", "org_id", "status", text("created_at DESC"), "id"),
    Index("ix_tickets_status_created", "status", text("created_at DESC"), "id"),
    Index("ix_tickets_created", text("created_at DESC"), "id"),
    Index("ix_tickets_updated", text("updated_at DESC"), "id"),
    Index("ix_tickets_priority", text("priority_rank DESC"), text("created_at DESC"), "id"),
    Index("ix_tickets_assignee", "assignee_id"),
    Index("ix_tickets_host", "host_id"),
    Index("ix_tickets_source_event", "source_event_id"),
    Index(
        "ix_tickets_title_trgm",
        "title",
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    ),
    Index(
        "ix_tickets_description_trgm",
        "description",
        postgresql_using="gin",
        postgresql_ops={"description": "gin_trgm_ops"},
    ),
    Index(
        "uq_tickets_external",
        "external_system",
        "external_ticket_id",
        unique=True,
        postgresql_where=text("external_ticket_id IS NOT NULL"),
    ),
)

activities = Table(
    "ticket_activities",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    # Insertion order: two activities of one change share a timestamp.
    Column("seq", BigInteger, Identity(always=True), nullable=False),
    Column("ticket_id", UUID(as_uuid=True), ForeignKey("tickets.id"), nullable=False),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id")),
    Column("type", String(30), nullable=False),
    Column("content", Text, nullable=False, server_default=""),
    Column("metadata", JSONB, nullable=False, server_default="{}"),
    Column("created_at", TS, nullable=False),
    Index("ix_ticket_activities_ticket", "ticket_id", "seq"),
)

terminal_logs = Table(
    "terminal_logs",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("ticket_id", UUID(as_uuid=True), ForeignKey("tickets.id"), nullable=False),
    Column("host_id", UUID(as_uuid=True)),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id")),
    Column("session_id", String(200), nullable=False),
    Column("command_log", Text, nullable=False),
    Column("started_at", TS, nullable=False),
    Column("ended_at", TS),
    Column("created_at", TS, nullable=False, server_default=func.now()),
    Column("source", String(20), nullable=False, server_default="MANUAL"),
    Column("commands", JSONB, nullable=False, server_default="[]"),
    Column("command_count", Integer, nullable=False, server_default="0"),
    Column("command_source", String(10)),
    Column("redactions", Integer, nullable=False, server_default="0"),
    # the redacted recording, zlib-compressed (casts are repetitive text: ~10x smaller);
    # NULL when there is none or it was over the cap (cast_bytes still says its size)
    Column("cast_zlib", LargeBinary),
    Column("cast_bytes", Integer),
    UniqueConstraint("ticket_id", "session_id"),
)

resolutions = Table(
    "ticket_resolutions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("ticket_id", UUID(as_uuid=True), ForeignKey("tickets.id"), nullable=False, unique=True),
    Column("resolver_id", UUID(as_uuid=True), ForeignKey("users.id")),
    Column("summary", Text, nullable=False),
    Column("action_taken", Text),
    Column("ai_suggestion_used", JSONB),
    Column("resolved_at", TS, nullable=False),
    Index("ix_ticket_resolutions_resolved_at", "resolved_at"),
)

# One row per alert fingerprint: its current ticket and outage (kohub_ticket.domain.alerts).
alert_series = Table(
    "alert_series",
    metadata,
    Column("fingerprint", String(300), primary_key=True),
    Column("ticket_id", UUID(as_uuid=True)),
    Column("state", String(10)),
    Column("firing_since", TS),
    Column("last_seen_at", TS),
    Column("repeat_count", Integer, nullable=False, server_default="0"),
    # the timeline entry of the repeats, updated in place: a storm is one line, not thousands
    Column("repeat_activity_id", UUID(as_uuid=True)),
    Column("recovered_at", TS),
    Index("ix_alert_series_ticket", "ticket_id"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

# The ticket key functions next_ticket_number(year) and next_ticket_key(year) are created by
# the first migration (the INSERT of the repository calls next_ticket_key).
