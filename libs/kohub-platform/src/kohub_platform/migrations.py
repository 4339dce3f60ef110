"""The Alembic environment every service's `migrations/env.py` runs: async engine, the
database from KOHUB_DATABASE_URL (or `alembic -x url=…`), offline SQL on request."""

import asyncio

from alembic import context
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine


def run_migrations(metadata: MetaData, default_url: str) -> None:
    url = context.get_x_argument(as_dictionary=True).get("url") or default_url
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection) -> None:  # type: ignore[no-untyped-def]
        context.configure(connection=connection, target_metadata=metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def online() -> None:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(run)
        await engine.dispose()

    asyncio.run(online())
