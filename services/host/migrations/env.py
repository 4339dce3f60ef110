"""Alembic environment: the database comes from KOHUB_DATABASE_URL (or the -x url=… option)."""

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from kohub_host.adapters.postgres.tables import metadata
from kohub_host.settings import load_settings

config = context.config


def _url() -> str:
    return context.get_x_argument(as_dictionary=True).get("url") or load_settings().database_url


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    engine = create_async_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_online())
