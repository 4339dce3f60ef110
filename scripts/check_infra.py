"""Tell clearly whether PostgreSQL and RabbitMQ answer before anything starts."""

import asyncio
import os
import sys

import aio_pika
import asyncpg


async def main() -> int:
    pg = os.environ.get("KOHUB_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    amqp = os.environ.get("KOHUB_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    failed = False
    try:
        conn = await asyncpg.connect(pg, timeout=5)
        await conn.close()
        print(f"  PostgreSQL ok ({pg.split('@')[-1]})")
    except Exception as exc:
        print(f"  PostgreSQL unreachable at {pg.split('@')[-1]}: {exc}", file=sys.stderr)
        failed = True
    try:
        connection = await aio_pika.connect(amqp, timeout=5)
        await connection.close()
        print(f"  RabbitMQ ok ({amqp.split('@')[-1]})")
    except Exception as exc:
        print(f"  RabbitMQ unreachable at {amqp.split('@')[-1]}: {exc}", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
