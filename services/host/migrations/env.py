"""Alembic environment of the host service (see kohub_platform.migrations)."""

from kohub_host.adapters.postgres.tables import metadata
from kohub_host.settings import load_settings
from kohub_platform.migrations import run_migrations

run_migrations(metadata, load_settings().database_url)
