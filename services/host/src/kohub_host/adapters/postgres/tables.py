"""The host service's tables. Alembic migrations create them."""

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

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
    Column("created_at", TS, nullable=False, server_default=func.now()),
    Column("updated_at", TS, nullable=False, server_default=func.now()),
)

users = users_table(metadata)

hosts = Table(
    "hosts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("org_id", UUID(as_uuid=True), ForeignKey("organizations.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("connection_type", String(10), nullable=False),
    Column("ssh_config", JSONB),
    Column("tags", ARRAY(String(64)), nullable=False, server_default="{}"),
    Column("status", String(20), nullable=False),
    Column("maintenance_until", TS),
    Column("observed_status", String(20), nullable=False, server_default="UNKNOWN"),
    Column("observed_at", TS),
    Column("observed_adapter", String(30)),
    Column("observed_message", Text),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index("uq_hosts_org_name", "org_id", text("lower(name)"), unique=True),
    Index("ix_hosts_org_name", "org_id", "name", "id"),
    Index("ix_hosts_name", "name", "id"),
    Index("ix_hosts_updated", text("updated_at DESC"), "id"),
    Index("ix_hosts_tags", "tags", postgresql_using="gin"),
    Index(
        "ix_hosts_maintenance_due",
        "maintenance_until",
        postgresql_where=text("status = 'MAINTENANCE' AND maintenance_until IS NOT NULL"),
    ),
    Index(
        "ix_hosts_name_trgm",
        "name",
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    ),
)

host_adapters = Table(
    "host_adapters",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column(
        "host_id", UUID(as_uuid=True), ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False
    ),
    Column("type", String(30), nullable=False),
    Column("config", JSONB, nullable=False),
    Column("status", String(10), nullable=False),
    Column("mapping_key", Text, nullable=False, unique=True),
    Column("last_sync_at", TS),
    Column("created_at", TS, nullable=False, server_default=func.now()),
    Index("ix_host_adapters_host", "host_id"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
