"""Alembic environment of the adapter gateway (see kohub_platform.migrations)."""

from kohub_adapter.adapters.postgres.tables import metadata
from kohub_adapter.settings import load_settings
from kohub_platform.migrations import run_migrations

run_migrations(metadata, load_settings().database_url)
