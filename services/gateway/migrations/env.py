"""Alembic environment of the gateway (see kohub_platform.migrations)."""

from kohub_gateway.adapters.postgres.tables import metadata
from kohub_gateway.settings import load_settings
from kohub_platform.migrations import run_migrations

run_migrations(metadata, load_settings().database_url)
