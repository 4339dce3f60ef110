"""Ticket service benchmark: list latency and create throughput on 100,000 seeded tickets.

The service runs as its own uvicorn process(es), exactly as `make up` starts it (broker,
consumers and outbox relay included), against a throwaway database and vhost; wrk is the
client. Targets (issue "Suite foundation and the ticket service"): list p99 < 30 ms,
create >= 500/s with the outbox written.
"""

import asyncio
import time
import uuid

import asyncpg
from common import machine, running, sandbox, verdict, wrk

from kohub_contracts.enums import TicketPriority, TicketStatus

TICKETS, ORGS, YEAR = 100_000, 50, 2026
LIST_SECONDS, CREATE_SECONDS, CONNECTIONS = 15, 20, 32
LIST_P99_TARGET_MS, CREATE_TARGET_PER_S = 30.0, 500.0
LIST_QUERIES = ("status=IN_PROGRESS", "status=NEW&status=RECEIVED")

SEED_TICKETS = """
INSERT INTO tickets (id, key, org_id, reporter_id, title, description, source, status,
                     priority, created_at, updated_at)
SELECT gen_random_uuid(), 'KH-' || $4::int || '-' || lpad(n::text, greatest(4, length(n::text)), '0'),
       ($1::uuid[])[1 + n % $5::int], $2, 'Bench ticket ' || n, 'Seeded by bench', 'MANUAL',
       ($3::text[])[1 + (n / $5::int) % 9], ($6::text[])[1 + (n / 7) % 4], at, at
FROM (SELECT n, now() - random() * interval '90 days' AS at
      FROM generate_series(1, $7::int) AS n) AS s
"""  # noqa: E501


async def seed(db: asyncpg.Connection) -> tuple[list[uuid.UUID], uuid.UUID]:
    orgs, reporter = [uuid.uuid4() for _ in range(ORGS)], uuid.uuid4()
    statuses, priorities = [s.value for s in TicketStatus], [p.value for p in TicketPriority]
    started = time.perf_counter()
    await db.executemany(
        "INSERT INTO organizations (id, name) VALUES ($1, $2)",
        [(org, f"Bench org {i}") for i, org in enumerate(orgs)],
    )
    await db.execute(
        "INSERT INTO users (id, keycloak_id, name, roles) "
        "VALUES ($1, 'bench-seed', 'Bench reporter', '{msp-operator}')",
        reporter,
    )
    await db.execute(SEED_TICKETS, orgs, reporter, statuses, YEAR, ORGS, priorities, TICKETS)
    # The service's own keys continue after the seeded ones instead of colliding with them.
    await db.execute("SELECT next_ticket_number($1)", YEAR)
    await db.execute(f"SELECT setval('ticket_number_{YEAR}', {TICKETS})")
    await db.execute("ANALYZE")
    print(f"seeded {TICKETS:,} tickets in {time.perf_counter() - started:.1f} s")
    return orgs, reporter


def create_script(orgs: list[uuid.UUID]) -> str:
    names = ", ".join(f'"{org}"' for org in orgs)
    return (
        f"local orgs = {{{names}}}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        "request = function()\n"
        '  local body = \'{"title":"Bench","priority":"HIGH","organizationId":"\' '
        "  .. orgs[math.random(#orgs)] .. '\"}'\n"
        '  return wrk.format("POST", "/api/v1/tickets", nil, body)\n'
        "end\n"
    )


async def facts(dsn: str) -> tuple[list[uuid.UUID], str]:
    db = await asyncpg.connect(dsn)
    try:
        orgs, _ = await seed(db)
        return orgs, await db.fetchval("SHOW server_version")
    finally:
        await db.close()


async def outbox_check(dsn: str) -> str:
    db = await asyncpg.connect(dsn)
    try:
        created = await db.fetchval("SELECT count(*) FROM tickets") - TICKETS
        rows = await db.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'ticket.created'")
    finally:
        await db.close()
    match = "one per ticket" if rows == created else "MISMATCH"
    return f"  outbox: {rows:,} ticket.created rows for {created:,} created tickets ({match})"


def main() -> None:
    results = machine()
    with sandbox("ticket") as box:
        orgs, pg_version = asyncio.run(facts(box.dsn))
        results += [f"postgresql: {pg_version}", f"tickets: {TICKETS:,} over {ORGS} organizations"]
        token = box.token(["msp-operator"])
        for workers in (1, 2):
            with running("ticket", box, workers) as url:
                if workers == 1:
                    for query in LIST_QUERIES:
                        target = f"{url}/api/v1/tickets?{query}&organizationId={orgs[7]}&limit=50"
                        wrk(target, token=token, seconds=3, connections=1)  # warm-up
                        r = wrk(target, token=token, seconds=LIST_SECONDS, connections=1)
                        results.append(
                            f"list [{query}], one client: {r.line()} "
                            f"(target p99 < {LIST_P99_TARGET_MS:.0f} ms: "
                            f"{verdict(r.p99_ms < LIST_P99_TARGET_MS)})"
                        )
                r = wrk(
                    f"{url}/api/v1/tickets",
                    token=token,
                    seconds=CREATE_SECONDS,
                    connections=CONNECTIONS,
                    script=create_script(orgs),
                )
                results.append(
                    f"create, {workers} worker process(es), {CONNECTIONS} connections: "
                    f"{r.line()} (target >= {CREATE_TARGET_PER_S:.0f}/s: "
                    f"{verdict(r.requests_per_second >= CREATE_TARGET_PER_S)})"
                )
            results.append(asyncio.run(outbox_check(box.dsn)))
    print("\n== ticket benchmark ==\n" + "\n".join(results))


if __name__ == "__main__":
    main()
