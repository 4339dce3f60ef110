"""Host service benchmark: the host list filtered by organization and a tag, on 10,000 hosts
with 3 tags and 2 adapters each (target p99 < 30 ms, issue "Host service").

The service runs as its own process against a throwaway database and vhost; wrk is the
client, one connection at a time, so the figures are per-request latencies.
"""

import asyncio
import time
import uuid

import asyncpg
from common import machine, running, sandbox, verdict, wrk

HOSTS, ORGS = 10_000, 50
TAGS = [
    "production",
    "staging",
    "web",
    "db",
    "cache",
    "linux",
    "windows",
    "edge",
    "batch",
    "critical",
]
SECONDS, P99_TARGET_MS = 15, 30.0

# $1 organizations, $2 organization count, $3 tag vocabulary, $4 host count.
SEED_HOSTS = """
INSERT INTO hosts (id, org_id, name, description, connection_type, ssh_config, tags, status,
                   version, created_at, updated_at)
SELECT gen_random_uuid(), ($1::uuid[])[1 + n % $2::int], 'host-' || lpad(n::text, 5, '0'),
       'Seeded by bench', 'SSH',
       jsonb_build_object('host', '10.0.' || (n / 250) || '.' || (n % 250), 'port', 22,
                          'username', 'ops'),
       ARRAY[($3::text[])[1 + n % 10], ($3::text[])[1 + (n / 10) % 10],
             ($3::text[])[1 + (n / 100) % 10]],
       'ACTIVE', 1, now(), now() - (n || ' seconds')::interval
FROM generate_series(1, $4::int) AS n
"""
SEED_ADAPTERS = """
INSERT INTO host_adapters (id, host_id, type, config, status, mapping_key)
SELECT gen_random_uuid(), h.id, 'uptime-kuma',
       jsonb_build_object('sourceId', 'kuma', 'monitorId', h.name), 'ACTIVE',
       'uptime-kuma:kuma:' || h.name
FROM hosts h
UNION ALL
SELECT gen_random_uuid(), h.id, 'prometheus',
       jsonb_build_object('matchers', jsonb_build_object('instance', h.name || ':9100')),
       'ACTIVE', 'prometheus:*:instance=' || h.name || ':9100'
FROM hosts h
"""


async def seed(dsn: str) -> tuple[list[uuid.UUID], str]:
    db = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        orgs = [uuid.uuid4() for _ in range(ORGS)]
        await db.executemany(
            "INSERT INTO organizations (id, name) VALUES ($1, $2)",
            [(org, f"Bench org {i}") for i, org in enumerate(orgs)],
        )
        await db.execute(SEED_HOSTS, orgs, ORGS, TAGS, HOSTS)
        await db.execute(SEED_ADAPTERS)
        await db.execute("ANALYZE")
        adapters = await db.fetchval("SELECT count(*) FROM host_adapters")
        print(
            f"seeded {HOSTS:,} hosts and {adapters:,} adapters in "
            f"{time.perf_counter() - started:.1f} s"
        )
        return orgs, await db.fetchval("SHOW server_version")
    finally:
        await db.close()


def main() -> None:
    results = machine()
    with sandbox("host") as box:
        orgs, pg_version = asyncio.run(seed(box.dsn))
        results += [
            f"postgresql: {pg_version}",
            f"hosts: {HOSTS:,} over {ORGS} organizations, 3 tags and 2 adapters each",
        ]
        token = box.token(["msp-operator"])
        with running("host", box, workers=1) as url:
            for query in (
                f"organizationId={orgs[3]}&tag=web",
                f"organizationId={orgs[3]}&tag=web&tag=linux",
                "tag=production&sort=-updatedAt",
            ):
                target = f"{url}/api/v1/hosts?{query}&limit=50"
                wrk(target, token=token, seconds=3, connections=1)  # warm-up
                r = wrk(target, token=token, seconds=SECONDS, connections=1)
                results.append(
                    f"list [{query.replace(str(orgs[3]), '<org>')}], one client: "
                    f"{r.line()} (target p99 < {P99_TARGET_MS:.0f} ms: "
                    f"{verdict(r.p99_ms < P99_TARGET_MS)})"
                )
    print("\n== host benchmark ==\n" + "\n".join(results))


if __name__ == "__main__":
    main()
