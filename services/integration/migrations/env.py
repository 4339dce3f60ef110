"""Alembic environment of the integration service (see kohub_platform.migrations)."""

from kohub_integration.adapters.postgres.tables import metadata
from kohub_integration.settings import load_settings
from kohub_platform.migrations import run_migrations

run_migrations(metadata, load_settings().database_url)
