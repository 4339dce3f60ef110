"""Migrate this image's service database to the latest revision, one migrator at a time.

`entrypoint.sh migrate` runs it: in docker-compose.yml as the one-shot `<service>-migrate`
container, in Kubernetes as each pod's `migrate` init container. Several of those may start
together (replicas, a rollout), and Alembic does not serialize them, so this script holds a
PostgreSQL advisory lock on the service's database while `alembic upgrade` runs: the first
migrates, the others wait and then find the database at head.

    python migrate.py [--config /app/alembic.ini] [--wait-seconds 120] [revision]

The database is KOHUB_DATABASE_URL (as the service and its migrations/env.py read it). The
database may still be starting: connecting is retried for --wait-seconds.
"""

import argparse
import asyncio
import os
import sys
import time

import asyncpg
from sqlalchemy.engine import make_url

# pg_advisory_lock key: the bytes "kohubmig" folded to a signed 64-bit integer; advisory locks
# belong to one database, so every service's database has its own.
LOCK_KEY = int.from_bytes(b"kohubmig", "big") - 2**63


def plain_dsn(database_url: str) -> str:
    """`postgresql+asyncpg://…` (SQLAlchemy's form) as asyncpg takes it."""
    url = make_url(database_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def connect(dsn: str, wait_seconds: float) -> asyncpg.Connection:
    deadline = time.monotonic() + wait_seconds
    delay = 0.5
    while True:
        try:
            return await asyncpg.connect(dsn, timeout=10)
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            if time.monotonic() + delay > deadline:
                raise SystemExit(f"migrate: database unreachable: {exc}") from exc
            print(f"migrate: waiting for the database ({exc})", file=sys.stderr, flush=True)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def migrate(config: str, revision: str, wait_seconds: float) -> int:
    database_url = os.environ.get("KOHUB_DATABASE_URL", "").strip()
    if not database_url:
        print("migrate: KOHUB_DATABASE_URL is not set", file=sys.stderr)
        return 2
    conn = await connect(plain_dsn(database_url), wait_seconds)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
        print(f"migrate: alembic upgrade {revision}", file=sys.stderr, flush=True)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "alembic", "-c", config, "upgrade", revision
        )
        return await process.wait()
    finally:
        await conn.close()  # ends the session, and with it the lock


def main() -> int:
    app_dir = os.environ.get("APP_DIR", "/app")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revision", nargs="?", default="head")
    parser.add_argument("--config", default=os.path.join(app_dir, "alembic.ini"))
    parser.add_argument("--wait-seconds", type=float, default=120.0)
    args = parser.parse_args()
    if not os.path.isfile(args.config):
        print(f"migrate: no Alembic configuration at {args.config}", file=sys.stderr)
        return 2
    return asyncio.run(migrate(args.config, args.revision, args.wait_seconds))


if __name__ == "__main__":
    sys.exit(main())
