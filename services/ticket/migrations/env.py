"""Alembic environment of the ticket service (see kohub_platform.migrations)."""

from kohub_platform.migrations import run_migrations
from kohub_ticket.adapters.postgres.tables import metadata
from kohub_ticket.settings import load_settings

run_migrations(metadata, load_settings().database_url)
