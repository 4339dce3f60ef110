"""Drop the databases and vhosts that a killed test or benchmark run could not remove.
Only names made by the test plugin and the benchmark are touched."""

import asyncio
import os
import shutil
import subprocess

import asyncpg

ADMIN_URL = os.environ.get("KOHUB_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PREFIXES = ("kohub_test_", "kohub_bench_")
VHOST_PREFIXES = ("kohub-test-", "kohub-bench-")


async def drop_databases() -> None:
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        names = [r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")]
        for name in names:
            if name.startswith(PREFIXES):
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                print(f"  dropped database {name}")
    finally:
        await conn.close()


def delete_vhosts() -> None:
    ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    listed = subprocess.run(  # noqa: S603
        [ctl, "-q", "list_vhosts"], capture_output=True, text=True, check=True
    ).stdout.split()
    for vhost in listed:
        if vhost.startswith(VHOST_PREFIXES):
            subprocess.run([ctl, "-q", "delete_vhost", vhost], check=True)  # noqa: S603
            print(f"  deleted vhost {vhost}")


if __name__ == "__main__":
    asyncio.run(drop_databases())
    delete_vhosts()
