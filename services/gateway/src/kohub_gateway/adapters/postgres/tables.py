"""The gateway's one table: console sessions (SQLAlchemy Core; Alembic creates it)."""

from sqlalchemy import Column, DateTime, Index, String, Table, Text
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from kohub_platform.db import service_metadata

metadata = service_metadata()
TS = DateTime(timezone=True)

console_sessions = Table(
    "console_sessions",
    metadata,
    # SHA-256 of the cookie's value: a copy of the table gives no one a session
    Column("id_hash", String(64), primary_key=True),
    Column("subject", String(100), nullable=False),
    Column("username", String(200), nullable=False),
    Column("name", String(200)),
    Column("email", String(320)),
    Column("roles", ARRAY(String(100)), nullable=False),
    Column("org_id", UUID(as_uuid=True)),
    # the tokens, encrypted (kohub_platform.secrets, KOHUB_SECRET_KEYS)
    Column("access_token", Text, nullable=False),
    Column("refresh_token", Text),
    Column("id_token", Text),
    Column("access_expires_at", TS, nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Index("ix_console_sessions_expires_at", "expires_at"),
)
