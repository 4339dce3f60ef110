"""Create the suite's databases if missing and migrate them to head (used by make up)."""

import asyncio
import os
import subprocess
import sys

import asyncpg

SERVICES = {
    "ticket": "services/ticket",
    "host": "services/host",
    "adapter": "services/adapter-gateway",
    "integration": "services/integration",
    "gateway": "services/gateway",
}
ADMIN_URL = os.environ.get("KOHUB_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


async def ensure(name: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
            print(f"  created database {name}")
    finally:
        await conn.close()


def main() -> None:
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    for service, path in SERVICES.items():
        name = f"kohub_{service}"
        asyncio.run(ensure(name))
        env = {**os.environ, "KOHUB_DATABASE_URL": f"{base}/{name}"}
        print(f"  migrating {name}")
        subprocess.run(
            [sys.executable, "-m", "alembic", "upgrade", "head"], cwd=path, env=env, check=True
        )


if __name__ == "__main__":
    main()
